package dev.lode.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How the downloader issues a GET. Two implementations, chosen by scheme:
 *
 * <ul>
 *   <li>{@code https}: {@link Jdk}, {@link HttpClient} ({@code java.net.http}), which negotiates
 *       HTTP/2 through ALPN when the server offers it and multiplexes requests on one connection;
 *   <li>{@code http}: {@link Http1Transport}, HTTP/1.1 over a blocking {@code SocketChannel} with
 *       keep-alive, whose body can be read straight into a direct buffer: the bytes go from the
 *       socket to the buffer that is then written to the file and hashed, with no copy in between.
 *       Bundles are large, and on a 1 GB body this is the difference that matters (see
 *       {@link Http1Transport}).
 * </ul>
 */
interface Transport extends AutoCloseable {
    /** A response whose body must be closed. */
    interface Response extends AutoCloseable {
        int status();

        Optional<String> header(String name);

        /** The body as a stream (small bodies such as manifests). */
        InputStream body();

        /**
         * Reads body bytes into {@code dst} like {@link ReadableByteChannel#read}: the number of
         * bytes read, or -1 at the end of the body. Blocks until at least one byte is read.
         */
        int read(ByteBuffer dst) throws IOException;

        /** Closes the body; may be called from another thread to abort a blocked read. */
        @Override
        void close() throws IOException;
    }

    Response get(URI url, Map<String, String> headers, Duration timeout) throws IOException, InterruptedException;

    /** Releases connections and threads. */
    @Override
    default void close() {}

    /**
     * java.net.http, for https (HTTP/2 when offered). The client is built on first use: building
     * it loads and initialises TLS (about 600 classes and the trust store), which a plain-http
     * pull never needs.
     */
    final class Jdk implements Transport {
        private final Duration connectTimeout;
        private final ReentrantLock lock = new ReentrantLock();
        private HttpClient http;
        private boolean closed;

        Jdk(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        private HttpClient http() {
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("transport closed");
                }
                if (http == null) {
                    http = HttpClient.newBuilder()
                            .connectTimeout(connectTimeout)
                            .followRedirects(HttpClient.Redirect.NORMAL)
                            .version(HttpClient.Version.HTTP_2)
                            .executor(Executors.newVirtualThreadPerTaskExecutor())
                            .build();
                }
                return http;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Response get(URI url, Map<String, String> headers, Duration timeout)
                throws IOException, InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(url).GET().header("User-Agent", "lode-client");
            if (timeout != null) {
                b.timeout(timeout);
            }
            headers.forEach(b::header);
            HttpResponse<InputStream> r = http().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            ReadableByteChannel channel = Channels.newChannel(r.body());
            return new Response() {
                @Override
                public int status() {
                    return r.statusCode();
                }

                @Override
                public Optional<String> header(String name) {
                    return r.headers().firstValue(name);
                }

                @Override
                public InputStream body() {
                    return r.body();
                }

                @Override
                public int read(ByteBuffer dst) throws IOException {
                    return channel.read(dst);
                }

                @Override
                public void close() throws IOException {
                    r.body().close();
                }
            };
        }

        @Override
        public void close() {
            lock.lock();
            try {
                closed = true;
                if (http != null) {
                    http.shutdownNow();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
