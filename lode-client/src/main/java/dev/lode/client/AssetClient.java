package dev.lode.client;

import dev.lode.bundle.BundleManifest;
import dev.lode.core.ObjectId;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downloader a game client embeds (seed 000, AT-3 to AT-5). For each plugin it fetches the
 * manifest conditionally, downloads the bundle zip into {@code cache/plugins/<sha256>.zip} through
 * a {@code .part} file (resumed with {@code Range} + {@code If-Range}), verifies the SHA-256 while
 * streaming, unpacks it safely, switches {@code runtime_cache/plugins/<id>} to the new version in
 * one atomic step, and calls the {@link ClientPluginProxy}.
 *
 * <pre>{@code
 * AssetClient client = AssetClient.builder()
 *         .cacheDir(Path.of("cache")).runtimeDir(Path.of("runtime_cache"))
 *         .rate(8_000_000).proxy((id, path) -> game.reloadScriptsFrom(path))
 *         .build();
 * client.onPacket(packet);                 // from the realtime channel
 * if (client.isReady(7)) startGameplay();
 * }</pre>
 *
 * Downloads run on a bounded pool ({@link Builder#maxConcurrent}) in priority order; one budget
 * ({@link TokenBucket}) throttles them all; a {@link LagGate} pauses them while the realtime link
 * lags. Failures are retried with backoff ({@link RetryPolicy}); what cannot succeed ends in
 * {@link PluginState.Failed} with a message naming the plugin, URL or file.
 */
public final class AssetClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AssetClient.class);

    final Config config;
    final DiskCache cache;
    final RuntimeDir runtime;
    final TokenBucket bucket;
    final LagGate gate;
    final Transport https;
    final Transport http11;
    final DirectBuffers buffers = new DirectBuffers(PluginDownload.BUFFER_SIZE, 32);

    private final PriorityBlockingQueue<Job> queue = new PriorityBlockingQueue<>();
    private final ExecutorService workers;
    private final AtomicLong seq = new AtomicLong();
    private final Map<Long, Job> active = new ConcurrentHashMap<>();
    private final Map<Long, PluginState> states = new ConcurrentHashMap<>();
    private final Map<Long, String> minVersions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private AssetClient(Builder b) {
        this.config = new Config(b);
        this.cache = new DiskCache(b.cacheDir, b.cacheLimit);
        this.runtime = new RuntimeDir(b.runtimeDir, b.cacheDir);
        this.bucket = new TokenBucket(b.rate, b.clock);
        this.gate = new LagGate(b.pingThreshold, b.idleTime, b.clock);
        this.https = new Transport.Jdk(b.connectTimeout);
        this.http11 = new Http1Transport(b.connectTimeout, b.stallTimeout);
        int discarded = cache.checkAll();
        if (discarded > 0) {
            log.warn("discarded {} corrupt bundle(s) from {}", discarded, cache.dir());
        }
        for (RuntimeDir.Installed i : runtime.scanInstalled()) {
            states.put(i.pluginId(), new PluginState.Ready(i.version(), runtime.link(i.pluginId())));
        }
        if (b.latencySource != null) {
            b.latencySource.start(gate::onPing);
        }
        // Platform threads: a bulk body read through blocking sockets is cheaper on a platform
        // thread than on a virtual one, which parks and unparks through the poller on every read.
        this.workers = Executors.newFixedThreadPool(
                b.maxConcurrent,
                Thread.ofPlatform().name("lode-download-", 0).daemon(true).factory());
        for (int i = 0; i < b.maxConcurrent; i++) {
            workers.execute(this::workLoop);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Makes sure plugin {@code pluginId}, whose manifest is at {@code manifestUrl}, is current.
     * Higher {@code priority} runs first. A request for a plugin already queued or downloading
     * joins that download.
     */
    public CompletableFuture<PluginState.Ready> fetch(URI manifestUrl, long pluginId, int priority) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
        }
        return submit(pluginId, manifestUrl, priority, true).result;
    }

    /**
     * Downloads and verifies plugin {@code pluginId}'s bundle into the cache without installing
     * it (to install later, e.g. at the next restart). Completes with the cached zip's path.
     */
    public CompletableFuture<Path> prefetch(URI manifestUrl, long pluginId) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
        }
        return submit(pluginId, manifestUrl, 0, false).downloaded;
    }

    private Job submit(long pluginId, URI manifestUrl, int priority, boolean install) {
        String scheme = manifestUrl.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || manifestUrl.getHost() == null) {
            throw new IllegalArgumentException(
                    "manifest URL must be an absolute http(s) URL with a host, got " + manifestUrl);
        }
        Job fresh = new Job(pluginId, manifestUrl, null, priority, seq.incrementAndGet(), install);
        Job existing = active.putIfAbsent(pluginId, fresh);
        if (existing != null) {
            return existing;
        }
        fresh.result.whenComplete((r, e) -> active.remove(pluginId, fresh));
        fresh.downloaded.whenComplete((r, e) -> {
            if (!fresh.install) {
                active.remove(pluginId, fresh);
            }
        });
        queue.add(fresh);
        return fresh;
    }

    /** {@link #fetch(URI, long, int)} at priority 0. */
    public CompletableFuture<PluginState.Ready> fetch(URI manifestUrl, long pluginId) {
        return fetch(manifestUrl, pluginId, 0);
    }

    /**
     * Handles a prefetch packet: remembers the plugin's minimum version and downloads the bundle
     * unless it is already installed.
     */
    public CompletableFuture<PluginState.Ready> onPacket(AssetManifestPacket packet) {
        if (packet.minVersion() != null) {
            minVersions.put(packet.pluginId(), packet.minVersion());
        }
        RuntimeDir.Installed installed = runtime.installed(packet.pluginId());
        if (installed != null && installed.sha256().equals(packet.sha256())) {
            return CompletableFuture.completedFuture(
                    new PluginState.Ready(installed.version(), runtime.link(packet.pluginId())));
        }
        return fetch(packet.url(), packet.pluginId(), 0);
    }

    /** Whether gameplay may run: the plugin's assets are installed at or above its minimum version. */
    public boolean isReady(long pluginId) {
        RuntimeDir.Installed i = runtime.installed(pluginId);
        return i != null && Versions.atLeast(i.version(), minVersions.get(pluginId));
    }

    /** Sets the minimum version gameplay needs for a plugin. */
    public void requireMinVersion(long pluginId, String minVersion) {
        minVersions.put(pluginId, Objects.requireNonNull(minVersion, "minVersion"));
    }

    /** The plugin's current state. */
    public PluginState state(long pluginId) {
        return states.getOrDefault(pluginId, new PluginState.Absent());
    }

    /** The lag gate, to feed ping samples and low-bandwidth mode. */
    public LagGate lagGate() {
        return gate;
    }

    /** The shared throttle. */
    public TokenBucket throttle() {
        return bucket;
    }

    void publish(long pluginId, PluginState s) {
        states.put(pluginId, s);
        try {
            config.listener.onState(pluginId, s);
        } catch (RuntimeException e) {
            log.warn("state listener failed for plugin {}: {}", pluginId, e.toString());
        }
    }

    /** Zips that must not be evicted: installed or being downloaded. */
    Set<ObjectId> inUse() {
        Set<ObjectId> s = ConcurrentHashMap.newKeySet();
        s.addAll(runtime.installedShas());
        for (Job j : active.values()) {
            if (j.sha != null) {
                s.add(j.sha);
            }
        }
        return s;
    }

    void noteMinVersion(BundleManifest m) {
        if (m.minVersion() != null) {
            minVersions.putIfAbsent(m.pluginId(), m.minVersion());
        }
    }

    private void workLoop() {
        while (!closed) {
            Job job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                PluginState.Ready r = new PluginDownload(this, job).run();
                job.result.complete(r);
            } catch (InterruptedException e) {
                job.fail(e);
                return;
            } catch (Throwable t) {
                String msg = t instanceof DownloadException ? t.getMessage() : t.toString();
                publish(job.pluginId, new PluginState.Failed(msg));
                job.fail(t);
            }
        }
    }

    /** Stops the workers; downloads in progress stop at their next read and keep their .part file. */
    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
        for (Job j : queue) {
            j.fail(new IllegalStateException("client closed"));
        }
        https.close();
        http11.close();
    }

    /** A queued download of one plugin. */
    static final class Job implements Comparable<Job> {
        final long pluginId;
        final URI manifestUrl;
        final int priority;
        final long seq;
        final boolean install;
        final CompletableFuture<PluginState.Ready> result = new CompletableFuture<>();
        final CompletableFuture<Path> downloaded = new CompletableFuture<>();
        volatile ObjectId sha;

        Job(long pluginId, URI manifestUrl, ObjectId sha, int priority, long seq, boolean install) {
            this.pluginId = pluginId;
            this.manifestUrl = manifestUrl;
            this.sha = sha;
            this.priority = priority;
            this.seq = seq;
            this.install = install;
        }

        void fail(Throwable t) {
            downloaded.completeExceptionally(t);
            result.completeExceptionally(t);
        }

        @Override
        public int compareTo(Job o) {
            int c = Integer.compare(o.priority, priority);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** The settings downloads read. */
    static final class Config {
        final RetryPolicy retry;
        final Duration stallTimeout;
        final Duration requestTimeout;
        final ClientPluginProxy proxy;
        final StateListener listener;
        final TokenBucket.Clock clock;

        Config(Builder b) {
            this.retry = b.retry;
            this.stallTimeout = b.stallTimeout;
            this.requestTimeout = b.requestTimeout;
            this.proxy = b.proxy;
            this.listener = b.listener;
            this.clock = b.clock;
        }
    }

    /** Configures an {@link AssetClient}; every setting has a sane default. */
    public static final class Builder {
        private Path cacheDir = Path.of("cache");
        private Path runtimeDir = Path.of("runtime_cache");
        private long rate = 8_000_000;
        private int maxConcurrent = 8;
        private long cacheLimit = 2L << 30;
        private Duration pingThreshold = Duration.ofMillis(250);
        private Duration idleTime = Duration.ofSeconds(2);
        private Duration stallTimeout = Duration.ofSeconds(20);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private ClientPluginProxy proxy = (id, path) -> {};
        private StateListener listener = (id, s) -> {};
        private LatencySource latencySource;
        private TokenBucket.Clock clock = TokenBucket.Clock.SYSTEM;

        private Builder() {}

        /** Where bundles are cached (default {@code ./cache}); zips go to {@code <dir>/plugins}. */
        public Builder cacheDir(Path dir) {
            this.cacheDir = Objects.requireNonNull(dir);
            return this;
        }

        /** Where bundles are unpacked (default {@code ./runtime_cache}): {@code <dir>/plugins/<id>}. */
        public Builder runtimeDir(Path dir) {
            this.runtimeDir = Objects.requireNonNull(dir);
            return this;
        }

        /** Download budget in bytes per second for all downloads together; 0 = unlimited. Default 8 MB/s. */
        public Builder rate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("rate must not be negative: " + bytesPerSecond);
            }
            this.rate = bytesPerSecond;
            return this;
        }

        /** Downloads at once (default 8). */
        public Builder maxConcurrent(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("maxConcurrent must be 1..256, got " + n);
            }
            this.maxConcurrent = n;
            return this;
        }

        /** Bytes of bundles kept in the cache (default 2 GiB); older unused zips are evicted. */
        public Builder cacheLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("cache limit must not be negative: " + bytes);
            }
            this.cacheLimit = bytes;
            return this;
        }

        /** Ping above which downloads pause (default 250 ms). */
        public Builder pingThreshold(Duration d) {
            this.pingThreshold = Objects.requireNonNull(d);
            return this;
        }

        /** How long ping must stay under the threshold before downloads resume (default 2 s). */
        public Builder idleTime(Duration d) {
            this.idleTime = Objects.requireNonNull(d);
            return this;
        }

        /** No byte for this long aborts the attempt, which is then retried (default 20 s). */
        public Builder stallTimeout(Duration d) {
            this.stallTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Connect timeout (default 10 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Timeout for response headers and for small bodies such as the manifest (default 30 s). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy);
            return this;
        }

        /** The game's reload hook. */
        public Builder proxy(ClientPluginProxy proxy) {
            this.proxy = Objects.requireNonNull(proxy);
            return this;
        }

        /** State changes, for an overlay. */
        public Builder listener(StateListener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /** Ping samples from the realtime channel. */
        public Builder latencySource(LatencySource source) {
            this.latencySource = source;
            return this;
        }

        /** Time source for the throttle and the lag gate (tests). */
        public Builder clock(TokenBucket.Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public AssetClient build() {
            return new AssetClient(this);
        }
    }
}
