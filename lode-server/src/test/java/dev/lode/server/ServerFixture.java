package dev.lode.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/** A real {@link LodeServer} on a loopback port, plus a JDK HttpClient and raw-socket helpers. */
final class ServerFixture implements AutoCloseable {
    static final String ADMIN = "test-admin-key-0123456789";

    final LodeServer server;
    final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ServerFixture(LodeServer server) {
        this.server = server;
    }

    static ServerFixture start(Path data) {
        return start(data, b -> {});
    }

    static ServerFixture start(Path data, Consumer<LodeServer.Builder> config) {
        LodeServer.Builder b = LodeServer.builder(data)
                .port(0)
                .bind("127.0.0.1")
                .adminKey(ADMIN)
                .ioThreads(2);
        config.accept(b);
        return new ServerFixture(b.build().start());
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    URI uri(String path) {
        return URI.create(base() + path);
    }

    HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20));
    }

    HttpResponse<byte[]> send(HttpRequest r) {
        try {
            return client.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder b = req(path).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    HttpResponse<byte[]> putAsset(String id, byte[] body, String... headers) {
        HttpRequest.Builder b = req("/assets/" + id)
                .header("Authorization", "Bearer " + ADMIN)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b.build());
    }

    /** Sends raw bytes on a fresh socket and returns everything the server answers until it closes. */
    String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static String body(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
