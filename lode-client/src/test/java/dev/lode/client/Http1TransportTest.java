package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Http1Transport} against a scripted server on loopback that writes exact bytes: framing
 * (length, chunked, until close), keep-alive and its failure modes, timeouts and bad answers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Http1TransportTest {
    /** What the server does with one request on connection number {@code conn} (from 0). */
    interface Handler {
        /** Returns false to close the connection. */
        boolean answer(int conn, String requestHead, OutputStream out) throws IOException;
    }

    /** A loopback server that runs a {@link Handler} for each request head it reads. */
    static final class Script implements AutoCloseable {
        final ServerSocket listener;
        final AtomicInteger connections = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Script(Handler handler) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket s = listener.accept();
                        sockets.add(s);
                        int n = connections.getAndIncrement();
                        Thread.ofVirtual().start(() -> serve(s, n, handler));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s, int n, Handler handler) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    requests.add(head);
                    boolean keep = handler.answer(n, head, out);
                    out.flush();
                    if (!keep) {
                        return;
                    }
                }
            } catch (IOException e) {
                // client went away
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                String s = b.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r\n\r\n")) {
                    return s;
                }
            }
            return null;
        }

        URI url(String path) {
            return URI.create("http://127.0.0.1:" + listener.getLocalPort() + path);
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private final Http1Transport transport = new Http1Transport(Duration.ofSeconds(5), Duration.ofSeconds(10));

    @AfterEach
    void closeTransport() {
        transport.close();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void lengthAnswer(OutputStream out, byte[] body) throws IOException {
        out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nETag: \"x\"\r\n\r\n"));
        out.write(body);
    }

    /** Reads a body through {@link Transport.Response#read} with buffers of the given sizes in turn. */
    private static byte[] readAll(Transport.Response r, int... sizes) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; ; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(sizes[i % sizes.length]);
            int n = r.read(b);
            if (n < 0) {
                return all.toByteArray();
            }
            byte[] chunk = new byte[n];
            b.flip().get(chunk);
            all.write(chunk);
        }
    }

    @Test
    void aContentLengthBodyIsReadExactlyAndTheConnectionIsKeptForTheNextRequest() throws Exception {
        byte[] body = random(300_000, 1);
        try (Script server = new Script((conn, head, out) -> {
            lengthAnswer(out, body);
            return true;
        })) {
            for (int i = 0; i < 3; i++) {
                try (Transport.Response r = transport.get(
                        server.url("/plugins/1/a.zip"), Map.of("Range", "bytes=10-", "If-Range", "\"abc\""), null)) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("etag")).contains("\"x\"");
                    assertThat(readAll(r, 65536, 7, 1, 100_000)).isEqualTo(body);
                }
            }
            assertThat(server.connections.get()).isEqualTo(1);
            assertThat(server.requests.getFirst())
                    .startsWith("GET /plugins/1/a.zip HTTP/1.1\r\n")
                    .contains("Host: 127.0.0.1:" + server.listener.getLocalPort() + "\r\n")
                    .contains("Range: bytes=10-\r\n")
                    .contains("If-Range: \"abc\"\r\n");
        }
    }

    @Test
    void aChunkedBodyWithExtensionsAndTrailersIsReadWhateverTheReadSizes() throws Exception {
        byte[] body = random(200_000, 2);
        Random rnd = new Random(3);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int off = 0; off < body.length; ) {
            int n = Math.min(body.length - off, 1 + rnd.nextInt(20_000));
            wire.write(ascii(Integer.toHexString(n) + (rnd.nextBoolean() ? ";ext=1" : "") + "\r\n"));
            wire.write(body, off, n);
            wire.write(ascii("\r\n"));
            off += n;
        }
        wire.write(ascii("0\r\nX-Trailer: yes\r\n\r\n"));
        try (Script server = new Script((conn, head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
            // Dribble the wire form in odd pieces so lines and chunks straddle reads.
            byte[] w = wire.toByteArray();
            for (int off = 0; off < w.length; off += 4093) {
                out.write(w, off, Math.min(4093, w.length - off));
                out.flush();
            }
            return true;
        })) {
            for (int[] sizes : new int[][] {{1}, {3, 8192, 5}, {262_144}}) {
                try (Transport.Response r = transport.get(server.url("/c"), Map.of(), null)) {
                    assertThat(readAll(r, sizes)).isEqualTo(body);
                }
            }
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aConnectionDroppedMidBodyIsAnErrorThatCountsTheBytes() throws Exception {
        try (Script server = new Script((conn, head, out) -> {
            out.write(ascii("HTTP/1.1 206 Partial Content\r\nContent-Length: 1000\r\n\r\n"));
            out.write(new byte[400]);
            return false;
        })) {
            try (Transport.Response r = transport.get(server.url("/z"), Map.of(), null)) {
                assertThat(r.status()).isEqualTo(206);
                assertThatThrownBy(() -> readAll(r, 8192))
                        .isInstanceOf(EOFException.class)
                        .hasMessageContaining("closed after 400 of 1000 body bytes");
            }
        }
    }

    @Test
    void aChunkedBodyCutBeforeItsLastChunkIsAnError() throws Exception {
        try (Script server = new Script((conn, head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"));
            return false;
        })) {
            try (Transport.Response r = transport.get(server.url("/z"), Map.of(), null)) {
                assertThatThrownBy(() -> readAll(r, 5))
                        .isInstanceOf(EOFException.class)
                        .hasMessageContaining("after 16 bytes of a chunked body");
            }
        }
    }

    @Test
    void aBodyWithoutLengthEndsWhenTheServerClosesAndItsConnectionIsNotReused() throws Exception {
        byte[] body = random(50_000, 4);
        try (Script server = new Script((conn, head, out) -> {
            out.write(ascii("HTTP/1.0 200 OK\r\n\r\n"));
            out.write(body);
            return false;
        })) {
            for (int i = 0; i < 2; i++) {
                try (Transport.Response r = transport.get(server.url("/u"), Map.of(), null)) {
                    assertThat(r.body().readAllBytes()).isEqualTo(body);
                }
            }
            assertThat(server.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void aKeptAliveConnectionTheServerClosedIsReplacedWithoutAnError() throws Exception {
        byte[] body = random(1000, 5);
        try (Script server = new Script((conn, head, out) -> {
            lengthAnswer(out, body);
            return false; // closes after each answer without saying so
        })) {
            for (int i = 0; i < 3; i++) {
                try (Transport.Response r = transport.get(server.url("/k"), Map.of(), null)) {
                    assertThat(r.body().readAllBytes()).isEqualTo(body);
                }
                Thread.sleep(50); // let the close arrive
            }
            assertThat(server.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void aNotModifiedAnswerHasNoBodyAndKeepsTheConnection() throws Exception {
        try (Script server = new Script((conn, head, out) -> {
            if (head.contains("If-None-Match")) {
                out.write(ascii("HTTP/1.1 304 Not Modified\r\nETag: \"m\"\r\n\r\n"));
            } else {
                lengthAnswer(out, ascii("{}"));
            }
            return true;
        })) {
            try (Transport.Response r = transport.get(server.url("/m"), Map.of("If-None-Match", "\"m\""), null)) {
                assertThat(r.status()).isEqualTo(304);
                assertThat(r.body().read()).isEqualTo(-1);
            }
            try (Transport.Response r = transport.get(server.url("/m"), Map.of(), null)) {
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("{}");
            }
            assertThat(server.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aRedirectToAnotherHttpUrlIsFollowed() throws Exception {
        try (Script server = new Script((conn, head, out) -> {
            if (head.startsWith("GET /old ")) {
                out.write(ascii("HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Length: 3\r\n\r\nold"));
            } else {
                lengthAnswer(out, ascii("new"));
            }
            return true;
        })) {
            try (Transport.Response r = transport.get(server.url("/old"), Map.of(), null)) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("new");
            }
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutWithAClearError() throws Exception {
        try (Http1Transport quick = new Http1Transport(Duration.ofSeconds(5), Duration.ofMillis(200));
                Script server = new Script((conn, head, out) -> {
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                })) {
            assertThatThrownBy(() -> quick.get(server.url("/slow"), Map.of(), null))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("no data from 127.0.0.1:" + server.listener.getLocalPort());
        }
    }

    @Test
    void closingAResponseFromAnotherThreadAbortsABlockedRead() throws Exception {
        try (Script server = new Script((conn, head, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"));
            out.write(new byte[10]);
            out.flush();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        })) {
            Transport.Response r = transport.get(server.url("/stall"), Map.of(), null);
            assertThat(r.read(ByteBuffer.allocate(100))).isEqualTo(10);
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(100);
                    r.close();
                } catch (InterruptedException | IOException e) {
                    // test thread
                }
            });
            assertThatThrownBy(() -> r.read(ByteBuffer.allocate(100))).isInstanceOf(IOException.class);
        }
    }

    @Test
    void badAnswersAreClearErrors() throws Exception {
        String[] answers = {
            "HTTP/2 200\r\n\r\n",
            "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
            "HTTP/1.1 200 OK\r\nX: " + "a".repeat(Http1Transport.MAX_HEAD_BYTES) + "\r\n\r\n",
        };
        String[] messages = {
            "bad status line 'HTTP/2 200'",
            "bad status line 'SSH-2.0-OpenSSH'",
            "bad Content-Length '-5'",
            "conflicting Content-Length",
            "unsupported Transfer-Encoding 'gzip'",
            "bad header line ' folded'",
            "bytes from 127.0.0.1",
        };
        for (int i = 0; i < answers.length; i++) {
            String answer = answers[i];
            try (Script server = new Script((conn, head, out) -> {
                out.write(ascii(answer));
                return false;
            })) {
                assertThatThrownBy(() -> transport.get(server.url("/bad"), Map.of(), null))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(messages[i]);
            }
        }
    }

    @Test
    void headerValuesWithLineBreaksAreRefusedBeforeSending() throws Exception {
        try (Script server = new Script((conn, head, out) -> false)) {
            assertThatThrownBy(() -> transport.get(server.url("/"), Map.of("X", "a\r\nInjected: 1"), null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("bad request header 'X'");
            assertThat(server.requests).isEmpty();
        }
    }

    @Test
    void theJdkTransportServesBodiesThroughStreamAndChannelAndRefusesRequestsOnceClosed() throws Exception {
        byte[] body = random(100_000, 6);
        try (Script server = new Script((conn, head, out) -> {
            lengthAnswer(out, body);
            return true;
        })) {
            Transport.Jdk jdk = new Transport.Jdk(Duration.ofSeconds(5));
            try {
                try (Transport.Response r =
                        jdk.get(server.url("/j"), Map.of("Range", "bytes=0-"), Duration.ofSeconds(10))) {
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("ETag")).contains("\"x\"");
                    assertThat(readAll(r, 4096, 1, 65536)).isEqualTo(body);
                }
                try (Transport.Response r = jdk.get(server.url("/j"), Map.of(), null)) {
                    assertThat(r.body().readAllBytes()).isEqualTo(body);
                }
                assertThat(server.requests.getFirst()).contains("Range: bytes=0-");
            } finally {
                jdk.close();
            }
            assertThatThrownBy(() -> jdk.get(server.url("/j"), Map.of(), null))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}
