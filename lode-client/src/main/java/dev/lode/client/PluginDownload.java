package dev.lode.client;

import dev.lode.bundle.BundleManifest;
import dev.lode.core.FormatException;
import dev.lode.core.LodeException;
import dev.lode.core.ObjectId;
import dev.lode.core.Quietly;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One run of "make plugin N current": manifest, bundle download, verification, install. */
final class PluginDownload {
    private static final Logger log = LoggerFactory.getLogger(PluginDownload.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    /** Body bytes per read: large enough that a 1 GB bundle costs few system calls. */
    static final int BUFFER_SIZE = 256 * 1024;

    private static final long PROGRESS_EVERY_NANOS = 100_000_000L;

    private final AssetClient client;
    private final AssetClient.Job job;
    private final long id;

    PluginDownload(AssetClient client, AssetClient.Job job) {
        this.client = client;
        this.job = job;
        this.id = job.pluginId;
    }

    PluginState.Ready run() throws InterruptedException {
        long t0 = System.nanoTime();
        client.publish(id, new PluginState.Checking(job.manifestUrl.toString()));
        BundleManifest m = retrying("manifest of plugin " + id, this::fetchManifest);
        long t1 = System.nanoTime();
        if (m.pluginId() != id) {
            throw new DownloadException(
                    "manifest at " + job.manifestUrl + " is for plugin " + m.pluginId() + ", not plugin " + id, false);
        }
        ObjectId sha = m.bundle().sha256();
        job.sha = sha;
        client.noteMinVersion(m);
        RuntimeDir.Installed current = client.runtime.installed(id);
        if (current != null && current.sha256().equals(sha) && job.install) {
            PluginState.Ready r = new PluginState.Ready(current.version(), client.runtime.link(id));
            client.publish(id, r);
            job.downloaded.complete(client.cache.zip(sha));
            return r;
        }
        Path zip = client.cache.zip(sha);
        if (!Files.isRegularFile(zip)) {
            URI zipUrl = job.manifestUrl.resolve(m.bundle().name());
            downloadBundle(m, zipUrl);
        }
        if (log.isDebugEnabled()) {
            // Phase timings, to see where a pull's time goes (LODE_LOG=debug).
            long t2 = System.nanoTime();
            log.debug(
                    "plugin {}: manifest {} ms, bundle {} ms for {} bytes ({} MB/s); JVM up {} ms",
                    id,
                    (t1 - t0) / 1_000_000,
                    (t2 - t1) / 1_000_000,
                    m.bundle().size(),
                    String.format(
                            java.util.Locale.ROOT, "%.0f", m.bundle().size() / 1e6 / Math.max(1e-9, (t2 - t1) / 1e9)),
                    java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        client.cache.touch(sha);
        job.downloaded.complete(zip);
        if (!job.install) {
            return null;
        }
        client.publish(id, new PluginState.Installing(m.version()));
        Path path;
        try {
            path = client.runtime.install(id, m.version(), sha, zip);
        } catch (LodeException e) {
            // A bundle that hashes right but is unsafe to unpack is useless: drop it from the cache.
            Quietly.delete(zip);
            throw new DownloadException(
                    "bundle " + m.bundle().name() + " of plugin " + id + " refused: " + e.getMessage(), false, e);
        } catch (IOException e) {
            throw new DownloadException(
                    "cannot install plugin " + id + " into " + client.runtime.link(id) + ": " + e.getMessage(),
                    false,
                    e);
        }
        PluginState.Ready ready = new PluginState.Ready(m.version(), path);
        client.publish(id, ready);
        try {
            client.config.proxy.reloadScriptsFrom(id, path);
        } catch (RuntimeException e) {
            log.warn("reload hook failed for plugin {}: {}", id, e.toString());
        }
        client.cache.evict(client.inUse());
        return ready;
    }

    // ---- manifest ----

    private BundleManifest fetchManifest() throws IOException, InterruptedException {
        Path dir = client.cache.dir().getParent().resolve("manifests");
        Files.createDirectories(dir);
        Path body = dir.resolve(id + ".json");
        Path etagFile = dir.resolve(id + ".etag");
        Path urlFile = dir.resolve(id + ".url");
        String etag = null;
        if (Files.isRegularFile(body)
                && Files.isRegularFile(etagFile)
                && Files.isRegularFile(urlFile)
                && Files.readString(urlFile).equals(job.manifestUrl.toString())) {
            etag = Files.readString(etagFile).trim();
        }
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        if (etag != null && !etag.isEmpty()) {
            headers.put("If-None-Match", etag);
        }
        try (Transport.Response resp = send(job.manifestUrl, headers, client.config.requestTimeout)) {
            InputStream in = resp.body();
            int status = resp.status();
            if (status == 304 && etag != null) {
                return parse(Files.readAllBytes(body));
            }
            checkStatus(status, job.manifestUrl, "manifest of plugin " + id);
            byte[] bytes = in.readNBytes(BundleManifest.MAX_BYTES + 1);
            if (bytes.length > BundleManifest.MAX_BYTES) {
                throw new DownloadException(
                        "manifest at " + job.manifestUrl + " is larger than " + BundleManifest.MAX_BYTES + " bytes",
                        false);
            }
            BundleManifest m = parse(bytes);
            writeAtomically(body, bytes);
            writeAtomically(urlFile, job.manifestUrl.toString().getBytes(StandardCharsets.UTF_8));
            writeAtomically(etagFile, resp.header("ETag").orElse("").getBytes(StandardCharsets.UTF_8));
            return m;
        }
    }

    private BundleManifest parse(byte[] bytes) {
        try {
            return BundleManifest.parse(bytes);
        } catch (FormatException e) {
            throw new DownloadException("bad manifest at " + job.manifestUrl + ": " + e.getMessage(), false, e);
        }
    }

    // ---- bundle ----

    private void downloadBundle(BundleManifest m, URI url) throws InterruptedException {
        ObjectId sha = m.bundle().sha256();
        long size = m.bundle().size();
        Path part = client.cache.part(sha);
        int mismatches = 0;
        RetryPolicy retry = client.config.retry;
        for (int attempt = 1; ; attempt++) {
            try {
                ObjectId actual = fetchInto(part, url, m.version(), sha, size);
                if (actual.equals(sha)) {
                    // No fsync: every cached zip is re-hashed when a client starts (DiskCache.checkAll),
                    // so a zip damaged by a crash is discarded, never used.
                    Files.move(part, client.cache.zip(sha), StandardCopyOption.ATOMIC_MOVE);
                    return;
                }
                Quietly.delete(part);
                mismatches++;
                String msg = "bundle " + m.bundle().name() + " from " + url + ": hash mismatch, expected " + sha
                        + " but got " + actual;
                log.warn("{} (attempt {})", msg, attempt);
                if (mismatches >= 2) {
                    throw new DownloadException(msg + " (twice; giving up)", false);
                }
                throw new DownloadException(msg, true);
            } catch (DownloadException e) {
                if (!e.retryable() || attempt >= retry.maxAttempts()) {
                    throw e.retryable()
                            ? new DownloadException(e.getMessage() + " (after " + attempt + " attempts)", false, e)
                            : e;
                }
                sleep(retry.backoff(attempt));
            } catch (IOException e) {
                // Writing the cache failed (disk full, permissions): no retry, no partial file.
                Quietly.delete(part);
                throw new DownloadException("cannot write " + part + ": " + describe(e), false, e);
            }
        }
    }

    /**
     * Downloads the rest of the bundle into {@code part} and returns the SHA-256 of the whole
     * file. Network trouble is a retryable {@link DownloadException}; file trouble an IOException.
     */
    private ObjectId fetchInto(Path part, URI url, String version, ObjectId sha, long size)
            throws IOException, InterruptedException {
        while (true) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            if (have > size) {
                Files.delete(part);
                have = 0;
            }
            MessageDigest md = Sha256.newDigest();
            if (have > 0) {
                hashPrefix(part, have, md);
            }
            if (have == size) {
                return ObjectId.ofDigest(md.digest());
            }
            // Wait here, not holding a connection, while the realtime link lags.
            if (client.gate.isPaused()) {
                long h = have;
                client.gate.awaitOpen(reason -> client.publish(id, new PluginState.Paused(version, h, size, reason)));
            }
            java.util.Map<String, String> headers = new java.util.HashMap<>();
            if (have > 0) {
                headers.put("Range", "bytes=" + have + "-");
                headers.put("If-Range", "\"" + sha.hex() + "\"");
            }
            try (Transport.Response resp = send(url, headers, null)) {
                int status = resp.status();
                if (status == 416) {
                    Files.deleteIfExists(part);
                    throw new DownloadException("server refused range " + have + "- of " + url + " (416)", true);
                }
                if (status == 200 && have > 0) {
                    // The server ignored If-Range because the bundle changed, or does not do ranges.
                    log.info("restarting download of {} from zero ({})", url, "server sent the whole bundle");
                    Files.delete(part);
                    md = Sha256.newDigest();
                    have = 0;
                } else if (status == 206) {
                    String cr = resp.header("Content-Range").orElse("");
                    Matcher mm = CONTENT_RANGE.matcher(cr);
                    if (!mm.matches()
                            || Long.parseLong(mm.group(1)) != have
                            || (!mm.group(3).equals("*") && Long.parseLong(mm.group(3)) != size)) {
                        Files.deleteIfExists(part);
                        throw new DownloadException(
                                "unexpected Content-Range '" + cr + "' for " + url + " (asked from byte " + have
                                        + " of " + size + ")",
                                true);
                    }
                } else {
                    checkStatus(status, url, "bundle of plugin " + id);
                }
                boolean paused = copy(resp, part, have, size, md, version, url);
                if (paused) {
                    continue; // reconnect with Range once the gate opens
                }
                return ObjectId.ofDigest(md.digest());
            }
        }
    }

    /**
     * Copies the body; returns true if it stopped early because the lag gate closed. This thread
     * reads the network into a direct buffer (and pays the throttle) and writes that buffer to the
     * file; a second thread hashes it meanwhile, so reading, writing and hashing overlap and no byte
     * is copied between them. Every byte read is written and hashed before this returns, so the
     * {@code .part} file always matches what the digest has seen.
     */
    private boolean copy(
            Transport.Response resp, Path part, long have, long size, MessageDigest md, String version, URI url)
            throws IOException, InterruptedException {
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        long startNanos = System.nanoTime();
        long startHave = have;
        long lastPublish = 0;
        Thread reader = Thread.currentThread();
        Duration stall = client.config.stallTimeout;
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(Math.max(10, stall.toMillis() / 4));
                    if (System.nanoTime() - lastByte.get() > stall.toNanos()) {
                        log.info("download of {} stalled for {}; aborting the attempt", url, stall);
                        resp.close();
                        return;
                    }
                }
            } catch (InterruptedException | IOException e) {
                // done
            }
        });
        try (FileChannel out = FileChannel.open(
                part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            Hasher hasher = new Hasher(md, client.buffers, size - have > client.buffers.size());
            boolean paused = false;
            try {
                while (have < size) {
                    if (client.gate.isPaused()) {
                        paused = true;
                        break;
                    }
                    ByteBuffer buf = hasher.buffer();
                    long limit = Math.min(buf.capacity(), size - have);
                    long burst = client.bucket.burstBytes();
                    if (burst > 0) {
                        limit = Math.min(limit, burst); // throttled: reads no larger than the bucket's burst
                    }
                    buf.limit((int) limit);
                    int n;
                    try {
                        n = resp.read(buf);
                    } catch (IOException e) {
                        hasher.recycle(buf);
                        throw new DownloadException(
                                "connection to " + url + " failed after " + have + " of " + size + " bytes: "
                                        + describe(e),
                                true,
                                e);
                    }
                    if (n < 0) {
                        hasher.recycle(buf);
                        throw new DownloadException(
                                "connection to " + url + " closed after " + have + " of " + size + " bytes", true);
                    }
                    lastByte.set(System.nanoTime());
                    client.bucket.acquire(n);
                    buf.flip();
                    try {
                        while (buf.hasRemaining()) {
                            out.write(buf);
                        }
                    } catch (IOException e) {
                        hasher.recycle(buf);
                        throw e;
                    }
                    hasher.hash(buf.rewind());
                    have += n;
                    long now = System.nanoTime();
                    if (now - lastPublish > PROGRESS_EVERY_NANOS || have == size) {
                        lastPublish = now;
                        double rate = (have - startHave) / Math.max(1e-9, (now - startNanos) / 1e9);
                        client.publish(id, new PluginState.Downloading(version, have, size, rate));
                    }
                }
            } finally {
                hasher.finish(); // hashes what was written, even when a read failed
            }
            if (paused) {
                return true;
            }
            if (resp.body().read() >= 0) {
                throw new DownloadException(url + " sent more than the " + size + " bytes its manifest declares", true);
            }
            return false;
        } finally {
            watchdog.interrupt();
            if (reader.isInterrupted()) {
                throw new InterruptedException("download of " + url + " interrupted");
            }
        }
    }

    /**
     * Hashes the buffers the reader has written, on its own thread, and gives them back to the
     * pool. A body that fits one buffer is hashed inline (a thread would cost more than it saves).
     */
    private static final class Hasher {
        private static final int IN_FLIGHT = 8;
        private static final ByteBuffer EOF = ByteBuffer.allocate(0);

        private final MessageDigest md;
        private final DirectBuffers pool;
        private final boolean background;
        private final BlockingQueue<ByteBuffer> queue = new ArrayBlockingQueue<>(IN_FLIGHT);
        private Thread thread;
        private volatile RuntimeException failure;

        Hasher(MessageDigest md, DirectBuffers pool, boolean background) {
            this.md = md;
            this.pool = pool;
            this.background = background;
        }

        ByteBuffer buffer() {
            return pool.take();
        }

        void recycle(ByteBuffer b) {
            pool.give(b);
        }

        void hash(ByteBuffer b) throws InterruptedException {
            if (!background) {
                md.update(b);
                pool.give(b);
                return;
            }
            if (thread == null) {
                thread = Thread.ofPlatform()
                        .daemon(true)
                        .name("lode-download-hash")
                        .start(this::run);
            }
            queue.put(b);
        }

        private void run() {
            try {
                while (true) {
                    ByteBuffer b = queue.take();
                    if (b == EOF) {
                        return;
                    }
                    if (failure == null) {
                        try {
                            md.update(b);
                        } catch (RuntimeException e) {
                            failure = e;
                        }
                    }
                    pool.give(b);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until everything handed over is hashed. */
        void finish() throws InterruptedException {
            if (thread != null) {
                queue.put(EOF);
                thread.join();
                thread = null;
            }
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
        }
    }

    private static void hashPrefix(Path part, long n, MessageDigest md) throws IOException {
        try (InputStream in = Files.newInputStream(part)) {
            byte[] buf = new byte[1 << 16];
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new IOException("partial file " + part + " shrank while hashing");
                }
                md.update(buf, 0, r);
                left -= r;
            }
        }
    }

    // ---- HTTP plumbing ----

    private Transport.Response send(URI url, java.util.Map<String, String> headers, Duration timeout)
            throws InterruptedException {
        Transport t = "https".equals(url.getScheme()) ? client.https : client.http11;
        try {
            return t.get(url, headers, timeout);
        } catch (IOException e) {
            throw new DownloadException("cannot reach " + url + ": " + describe(e), true, e);
        }
    }

    private static void checkStatus(int status, URI url, String what) {
        if (status == 200) {
            return;
        }
        if (status == 404 || status == 410) {
            throw new DownloadException(what + " not found at " + url + " (" + status + ")", false);
        }
        if (status >= 500 || status == 429 || status == 408) {
            throw new DownloadException("server error " + status + " for " + what + " at " + url, true);
        }
        throw new DownloadException("unexpected status " + status + " for " + what + " at " + url, false);
    }

    private <T> T retrying(String what, IoCall<T> call) throws InterruptedException {
        RetryPolicy retry = client.config.retry;
        for (int attempt = 1; ; attempt++) {
            try {
                return call.call();
            } catch (DownloadException e) {
                if (!e.retryable() || attempt >= retry.maxAttempts()) {
                    throw e.retryable()
                            ? new DownloadException(e.getMessage() + " (after " + attempt + " attempts)", false, e)
                            : e;
                }
            } catch (IOException e) {
                throw new DownloadException("cannot write cache for " + what + ": " + describe(e), false, e);
            }
            sleep(retry.backoff(attempt));
        }
    }

    private interface IoCall<T> {
        T call() throws IOException, InterruptedException;
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) {
            Thread.sleep(d);
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        if (e instanceof NoSuchFileException) {
            return "no such file or folder " + m;
        }
        return Optional.ofNullable(m)
                .filter(s -> !s.isBlank())
                .orElse(e.getClass().getSimpleName());
    }
}
