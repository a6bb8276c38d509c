package dev.lode.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lode.bundle.BundleManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP server on loopback (the JDK's) serving a plugins folder the way {@code lode serve}
 * does: {@code /plugins/<id>/manifest} and {@code /plugins/<id>/<zip>}, strong ETags, 304,
 * single ranges with If-Range. It can be stopped and restarted on the same port, answer with a
 * forced status, and it records requests for assertions.
 */
final class BundleServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    record Request(String path, String range, String ifRange, String ifNoneMatch, int status) {}

    private final Path plugins;
    private int port;
    private HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    volatile int forcedStatus;
    final AtomicInteger forcedLeft = new AtomicInteger();
    /** Bytes per second for bundle bodies (0 = unlimited), to keep a download in flight. */
    volatile long slowBytesPerSecond;

    BundleServer(Path plugins) throws IOException {
        this.plugins = plugins;
        start();
    }

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/plugins/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }

    int port() {
        return port;
    }

    URI manifestUrl(long pluginId) {
        return URI.create("http://127.0.0.1:" + port + "/plugins/" + pluginId + "/manifest");
    }

    /** Answers the next {@code n} requests with {@code status}. */
    void failNext(int n, int status) {
        forcedStatus = status;
        forcedLeft.set(n);
    }

    /** Bundle-body requests answered so far. */
    List<Request> zipRequests() {
        return requests.stream().filter(r -> r.path().endsWith(".zip")).toList();
    }

    private Path folderOf(long id) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(plugins)) {
            for (Path d : s) {
                Path m = d.resolve("manifest");
                if (Files.isRegularFile(m)
                        && BundleManifest.parse(Files.readAllBytes(m)).pluginId() == id) {
                    return d;
                }
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        String inm = ex.getRequestHeaders().getFirst("If-None-Match");
        int status = serve(ex, path, range, ifRange, inm);
        requests.add(new Request(path, range, ifRange, inm, status));
        ex.close();
    }

    private int serve(HttpExchange ex, String path, String range, String ifRange, String inm) throws IOException {
        if (forcedLeft.getAndDecrement() > 0) {
            ex.sendResponseHeaders(forcedStatus, -1);
            return forcedStatus;
        }
        String[] parts = path.split("/");
        if (parts.length != 4) {
            ex.sendResponseHeaders(404, -1);
            return 404;
        }
        Path folder = folderOf(Long.parseLong(parts[2]));
        Path file = folder == null ? null : folder.resolve(parts[3]);
        if (file == null || !Files.isRegularFile(file)) {
            ex.sendResponseHeaders(404, -1);
            return 404;
        }
        String etag;
        if (parts[3].equals("manifest")) {
            etag = "\"" + dev.lode.core.Sha256.ofFile(file).hex() + "\"";
        } else {
            etag = "\"" + parts[3].substring("assets.".length(), parts[3].length() - ".zip".length()) + "\"";
        }
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (etag.equals(inm)) {
            ex.sendResponseHeaders(304, -1);
            return 304;
        }
        long size = Files.size(file);
        long start = 0;
        int status = 200;
        if (range != null && (ifRange == null || ifRange.equals(etag))) {
            Matcher m = RANGE.matcher(range);
            if (m.matches()) {
                start = Long.parseLong(m.group(1));
                if (start >= size) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                    ex.sendResponseHeaders(416, -1);
                    return 416;
                }
                status = 206;
                ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (size - 1) + "/" + size);
            }
        }
        ex.sendResponseHeaders(status, size - start);
        try (InputStream in = Files.newInputStream(file);
                OutputStream out = ex.getResponseBody()) {
            in.skipNBytes(start);
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                long slow = slowBytesPerSecond;
                if (slow > 0) {
                    out.flush();
                    try {
                        Thread.sleep(Math.max(1, n * 1000L / slow));
                    } catch (InterruptedException e) {
                        return status;
                    }
                }
            }
        } catch (IOException e) {
            // client went away or the server was stopped mid-body
        }
        return status;
    }

    @Override
    public void close() {
        stop();
    }
}
