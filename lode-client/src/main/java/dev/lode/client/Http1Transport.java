package dev.lode.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * GET over HTTP/1.1 on a blocking {@link SocketChannel}, for cleartext {@code http} URLs: keep-alive
 * connections per host and port, {@code Content-Length}, {@code chunked} and read-to-close bodies,
 * redirects to other {@code http} URLs, a connect timeout and a per-read timeout.
 *
 * <p>Why not a library: the JDK's clients copy every body byte at least once more than needed.
 * {@code HttpURLConnection} reads the socket into a temporary direct buffer and copies it into the
 * caller's array, and {@code FileChannel.write} of that array copies it into another direct buffer;
 * {@code java.net.http} moves the body through its own queue of buffers. Here {@link
 * Response#read(ByteBuffer)} reads the socket straight into the caller's (direct) buffer, which the
 * downloader writes to the file and hashes: one copy from the kernel, one back to the kernel.
 * OkHttp copies too (through Okio's segments).
 *
 * <p>Timeouts: a single watchdog thread closes a connection whose blocking read has waited longer
 * than the read timeout; the read then fails with a {@link SocketTimeoutException}. Not supported:
 * HTTP proxies (system properties), request bodies, {@code Expect}, HTTP/2 (the https transport
 * does that).
 */
final class Http1Transport implements Transport {
    static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_IDLE_PER_HOST = 8;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final Set<Connection> reading = ConcurrentHashMap.newKeySet();
    private final Thread watchdog;
    private volatile boolean closed;

    Http1Transport(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        long period = Math.clamp(readTimeout.toMillis() / 4, 10, 1000);
        this.watchdog = Thread.ofVirtual().name("lode-http1-timeouts").start(() -> watch(period));
    }

    @Override
    public Response get(URI url, Map<String, String> headers, Duration timeout) throws IOException {
        if (closed) {
            throw new IOException("transport closed");
        }
        long readNanos = (timeout == null ? readTimeout : min(timeout, readTimeout)).toNanos();
        URI u = url;
        for (int redirects = 0; ; redirects++) {
            Exchange ex = exchange(u, headers, readNanos);
            int s = ex.status;
            boolean redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
            Optional<String> location = ex.header("Location");
            if (redirect && location.isPresent() && redirects < MAX_REDIRECTS) {
                URI next = u.resolve(location.get().trim());
                if ("http".equalsIgnoreCase(next.getScheme())) {
                    ex.close();
                    u = next;
                    continue;
                }
            }
            return ex;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Sends one request on a pooled or new connection and reads the response head. */
    private Exchange exchange(URI url, Map<String, String> headers, long readNanos) throws IOException {
        if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
            throw new IOException("not an http URL with a host: " + url);
        }
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String key = host + "|" + port;
        byte[] request = request(url, headers);
        while (true) {
            Connection c = pollIdle(key);
            boolean reused = c != null;
            if (c == null) {
                c = connect(key, host, port);
            }
            try {
                c.readNanos = readNanos;
                c.received = 0;
                c.write(request);
                return c.readHead(url);
            } catch (IOException e) {
                c.close();
                // A kept-alive connection the server closed meanwhile fails before any byte of the
                // answer: ask again on another one. Anything else is the caller's to handle.
                if (!(reused && c.received == 0)) {
                    throw e;
                }
            }
        }
    }

    private static byte[] request(URI url, Map<String, String> headers) throws IOException {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        String authority = url.getRawAuthority();
        int at = authority.lastIndexOf('@');
        StringBuilder sb = new StringBuilder(256)
                .append("GET ")
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(at < 0 ? authority : authority.substring(at + 1))
                .append("\r\nUser-Agent: lode-client\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!isToken(h.getKey())
                    || h.getValue().indexOf('\r') >= 0
                    || h.getValue().indexOf('\n') >= 0) {
                throw new IOException("bad request header '" + h.getKey() + "' for " + url);
            }
            sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch <= ' ' || ch >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(ch) >= 0) {
                return false;
            }
        }
        return true;
    }

    private Connection pollIdle(String key) {
        ConcurrentLinkedDeque<Connection> q = idle.get(key);
        Connection c;
        while (q != null && (c = q.pollFirst()) != null) {
            if (c.channel.isOpen()) {
                return c;
            }
        }
        return null;
    }

    private Connection connect(String key, String host, int port) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (SocketTimeoutException e) {
            ch.close();
            throw new SocketTimeoutException("connect to " + host + ":" + port + " timed out after " + connectTimeout);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new Connection(this, key, host + ":" + port, ch);
    }

    void release(Connection c) {
        if (closed) {
            c.close();
            return;
        }
        ConcurrentLinkedDeque<Connection> q = idle.computeIfAbsent(c.key, k -> new ConcurrentLinkedDeque<>());
        q.addFirst(c);
        while (q.size() > MAX_IDLE_PER_HOST) {
            Connection old = q.pollLast();
            if (old != null) {
                old.close();
            }
        }
    }

    private void watch(long periodMillis) {
        try {
            while (!closed) {
                Thread.sleep(periodMillis);
                long now = System.nanoTime();
                for (Connection c : reading) {
                    long d = c.deadline;
                    if (d != 0 && now - d > 0) {
                        c.timedOut = true;
                        c.close();
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Closes idle connections and stops the watchdog; responses still open keep their connection. */
    @Override
    public void close() {
        closed = true;
        watchdog.interrupt();
        for (ConcurrentLinkedDeque<Connection> q : idle.values()) {
            Connection c;
            while ((c = q.pollFirst()) != null) {
                c.close();
            }
        }
    }

    /** One socket: a small buffer for heads and chunk lines; body bytes bypass it when it is empty. */
    static final class Connection {
        private final Http1Transport transport;
        final String key;
        final String name;
        final SocketChannel channel;
        private final ByteBuffer in = ByteBuffer.allocate(16 * 1024).flip();
        /** Bytes received since the current request was sent. */
        long received;

        long readNanos;
        volatile long deadline;
        volatile boolean timedOut;

        Connection(Http1Transport transport, String key, String name, SocketChannel channel) {
            this.transport = transport;
            this.key = key;
            this.name = name;
            this.channel = channel;
        }

        void write(byte[] request) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(request);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        /** One blocking read from the socket, under the read timeout. */
        private int channelRead(ByteBuffer dst) throws IOException {
            deadline = System.nanoTime() + readNanos;
            transport.reading.add(this);
            try {
                int n = channel.read(dst);
                if (n > 0) {
                    received += n;
                }
                return n;
            } catch (AsynchronousCloseException e) {
                if (timedOut) {
                    throw new SocketTimeoutException("no data from " + name + " for "
                            + Duration.ofNanos(readNanos).toMillis() + " ms");
                }
                throw e;
            } finally {
                deadline = 0;
                transport.reading.remove(this);
            }
        }

        /** Reads more into the head buffer; false at end of stream. */
        private boolean fill() throws IOException {
            in.compact();
            try {
                if (!in.hasRemaining()) {
                    return true; // full: the caller decides whether that is too much
                }
                return channelRead(in) >= 0;
            } finally {
                in.flip();
            }
        }

        /** A line without its CRLF (or LF), at most {@code max} bytes; null at a clean end of stream. */
        String readLine(int max) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                while (in.hasRemaining()) {
                    byte b = in.get();
                    if (b == '\n') {
                        int len = sb.length();
                        if (len > 0 && sb.charAt(len - 1) == '\r') {
                            sb.setLength(len - 1);
                        }
                        return sb.toString();
                    }
                    if (sb.length() >= max) {
                        throw new IOException("line longer than " + max + " bytes from " + name);
                    }
                    sb.append((char) (b & 0xff));
                }
                if (!fill()) {
                    if (sb.isEmpty()) {
                        return null;
                    }
                    throw new EOFException("connection to " + name + " closed in the middle of a line");
                }
            }
        }

        /** Body bytes: first what the head buffer holds, then straight from the socket. */
        int readBody(ByteBuffer dst, long max) throws IOException {
            int want = (int) Math.min(dst.remaining(), max);
            if (want == 0) {
                return 0;
            }
            if (in.hasRemaining()) {
                int n = Math.min(want, in.remaining());
                ByteBuffer slice = in.slice(in.position(), n);
                dst.put(slice);
                in.position(in.position() + n);
                return n;
            }
            int limit = dst.limit();
            dst.limit(dst.position() + want);
            try {
                return channelRead(dst);
            } finally {
                dst.limit(limit);
            }
        }

        Exchange readHead(URI url) throws IOException {
            while (true) {
                int budget = MAX_HEAD_BYTES;
                String statusLine = readLine(budget);
                if (statusLine == null) {
                    throw new EOFException("connection to " + name + " closed before an answer to GET " + url);
                }
                budget -= statusLine.length() + 2;
                int status = parseStatus(statusLine);
                List<String[]> headers = new ArrayList<>();
                while (true) {
                    if (budget <= 0) {
                        throw new IOException(
                                "response head from " + name + " is larger than " + MAX_HEAD_BYTES + " bytes");
                    }
                    String line = readLine(budget);
                    if (line == null) {
                        throw new EOFException("connection to " + name + " closed in the response head");
                    }
                    budget -= line.length() + 2;
                    if (line.isEmpty()) {
                        break;
                    }
                    int colon = line.indexOf(':');
                    if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                        throw new IOException("bad header line '" + line + "' from " + name);
                    }
                    headers.add(new String[] {
                        line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim()
                    });
                }
                if (status >= 100 && status < 200 && status != 101) {
                    continue; // 100 Continue and other interim answers
                }
                return new Exchange(this, statusLine.startsWith("HTTP/1.0"), status, headers);
            }
        }

        private int parseStatus(String line) throws IOException {
            // HTTP/1.1 200 OK
            if (line.length() >= 12
                    && (line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
                    && (line.length() == 12 || line.charAt(12) == ' ')) {
                String code = line.substring(9, 12);
                if (code.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    return Integer.parseInt(code);
                }
            }
            String shown = line.length() > 80 ? line.substring(0, 80) + "…" : line;
            throw new IOException("bad status line '" + shown + "' from " + name);
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** A response: status, head, and a framed body read from its connection. */
    static final class Exchange implements Response {
        private enum Framing {
            NONE,
            LENGTH,
            CHUNKED,
            UNTIL_CLOSE
        }

        private final Connection conn;
        final int status;
        private final List<String[]> headers;
        private final Framing framing;
        private final boolean keepAlive;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final InputStream stream;
        private final long length;
        /** LENGTH: bytes left; CHUNKED: bytes left in this chunk, -1 before the first. */
        private long left;

        private long read;
        private boolean done;

        Exchange(Connection conn, boolean http10, int status, List<String[]> headers) throws IOException {
            this.conn = conn;
            this.status = status;
            this.headers = headers;
            String te = header("Transfer-Encoding").orElse("").toLowerCase(Locale.ROOT);
            String connection = header("Connection").orElse("").toLowerCase(Locale.ROOT);
            long len = -1;
            if (status == 204 || status == 304) {
                framing = Framing.NONE;
            } else if (te.endsWith("chunked")) {
                framing = Framing.CHUNKED;
                left = -1;
            } else if (!te.isEmpty()) {
                throw new IOException("unsupported Transfer-Encoding '" + te + "' from " + conn.name);
            } else if ((len = contentLength()) >= 0) {
                framing = Framing.LENGTH;
                left = len;
            } else {
                framing = Framing.UNTIL_CLOSE;
            }
            this.length = len;
            this.keepAlive = framing != Framing.UNTIL_CLOSE && !http10 && !connection.contains("close");
            this.done = framing == Framing.NONE || (framing == Framing.LENGTH && left == 0);
            this.stream = new BodyStream();
        }

        private long contentLength() throws IOException {
            String value = null;
            for (String[] h : headers) {
                if (h[0].equals("content-length")) {
                    if (value != null && !value.equals(h[1])) {
                        throw new IOException("conflicting Content-Length headers from " + conn.name);
                    }
                    value = h[1];
                }
            }
            if (value == null) {
                return -1;
            }
            if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IOException("bad Content-Length '" + value + "' from " + conn.name);
            }
            return Long.parseLong(value);
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Optional<String> header(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            for (String[] h : headers) {
                if (h[0].equals(n)) {
                    return Optional.of(h[1]);
                }
            }
            return Optional.empty();
        }

        @Override
        public InputStream body() {
            return stream;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (closed.get()) {
                throw new IOException("response body from " + conn.name + " is closed");
            }
            if (done) {
                return -1;
            }
            if (!dst.hasRemaining()) {
                return 0;
            }
            return switch (framing) {
                case NONE -> -1;
                case LENGTH -> {
                    int n = conn.readBody(dst, left);
                    if (n < 0) {
                        throw new EOFException("connection to " + conn.name + " closed after " + read + " of " + length
                                + " body bytes");
                    }
                    left -= n;
                    read += n;
                    done = left == 0;
                    yield n;
                }
                case UNTIL_CLOSE -> {
                    int n = conn.readBody(dst, Long.MAX_VALUE);
                    if (n < 0) {
                        done = true;
                    } else {
                        read += n;
                    }
                    yield n;
                }
                case CHUNKED -> readChunked(dst);
            };
        }

        private int readChunked(ByteBuffer dst) throws IOException {
            if (left <= 0) {
                if (left == 0 && !expectLine("").isEmpty()) {
                    throw new IOException("chunk from " + conn.name + " is longer than its size");
                }
                String line = expectLine("chunk size");
                int semi = line.indexOf(';');
                String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
                try {
                    if (hex.isEmpty() || hex.length() > 15) {
                        throw new NumberFormatException();
                    }
                    left = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + line + "' from " + conn.name);
                }
                if (left < 0) {
                    throw new IOException("bad chunk size '" + line + "' from " + conn.name);
                }
                if (left == 0) {
                    // Trailers, up to the empty line.
                    int budget = MAX_HEAD_BYTES;
                    String t;
                    while (!(t = expectLine("trailer")).isEmpty()) {
                        budget -= t.length() + 2;
                        if (budget < 0) {
                            throw new IOException(
                                    "trailers from " + conn.name + " are larger than " + MAX_HEAD_BYTES + " bytes");
                        }
                    }
                    done = true;
                    return -1;
                }
            }
            int n = conn.readBody(dst, left);
            if (n < 0) {
                throw new EOFException(
                        "connection to " + conn.name + " closed after " + read + " bytes of a chunked body");
            }
            left -= n;
            read += n;
            return n;
        }

        private String expectLine(String what) throws IOException {
            String line = conn.readLine(4096);
            if (line == null) {
                throw new EOFException("connection to " + conn.name + " closed after " + read
                        + " bytes of a chunked body (expected " + (what.isEmpty() ? "CRLF" : what) + ")");
            }
            return line;
        }

        /**
         * Returns the connection to the pool when the body was read to its end and both sides
         * keep it alive; closes it otherwise (also to abort a read blocked in another thread).
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            if (done && keepAlive && conn.channel.isOpen() && !conn.in.hasRemaining()) {
                conn.transport.release(conn);
            } else {
                conn.close();
            }
        }

        private final class BodyStream extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                return Exchange.this.read(ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() {
                Exchange.this.close();
            }
        }
    }
}
