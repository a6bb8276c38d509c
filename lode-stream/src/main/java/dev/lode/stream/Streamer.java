package dev.lode.stream;

import dev.lode.core.CorruptObjectException;
import dev.lode.core.LodeException;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.ObjectStore;
import dev.lode.core.Sha256;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads catalog assets asynchronously, most urgent first, into memory tiers with byte budgets.
 *
 * <p>A load runs read (disk cache, then the {@link AssetSource}) → verify SHA-256 → decompress →
 * decode (the {@link AssetLoader} for the entry's media type) → admit into the CPU or GPU tier.
 * Reads are limited to {@link Builder#maxInFlightReads}; CPU stages run on {@link Workers}. The
 * queue is ordered by the {@link ViewPolicy}'s priority for the current {@link Observer}; it is
 * re-evaluated on {@link #updateObserver}, and loads nobody wants any more are dropped from the
 * queue or stopped at the next stage boundary.
 *
 * <p>Dependencies are loaded first (they inherit a slightly higher priority) and an asset is only
 * delivered once all of them are usable. A failure fails only the assets that need it, with an
 * {@link AssetLoadException} naming the chain; requesters get the loader's placeholder and the
 * listener a {@link StreamEvent.LoadFailed}. Nothing here throws into the engine for a missing or
 * corrupt asset.
 *
 * <p>Thread-safe: all state sits behind one lock, and futures, events and I/O are started only
 * after it is released. With a {@link Ticker}, {@link Workers} and source on virtual time, the
 * whole streamer runs deterministically on one thread (the fly-through simulation does this).
 */
public final class Streamer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Streamer.class);
    private static final Object STAGE_CANCELLED = new Object();

    private final ReentrantLock lock = new ReentrantLock();
    private final List<Runnable> deferred = new ArrayList<>();
    private final AssetCatalog catalog;
    private final AssetSource source;
    private final Workers workers;
    private final boolean ownsWorkers;
    private final Ticker ticker;
    private final ViewPolicy view;
    private final GpuBackend gpuBackend;
    private final Consumer<StreamEvent> listener;
    private final Map<String, AssetLoader<?>> loaders;
    private final Tier<Node> cpu;
    private final Tier<Node> gpu;
    private final DiskCache disk;
    private final int maxInFlight;

    private final Map<Integer, Node> nodes = new HashMap<>();
    private final LinkedHashMap<String, Tracked> tracked = new LinkedHashMap<>();
    private final LinkedHashSet<AssetHandle> liveHandles = new LinkedHashSet<>();
    private LinkedHashSet<Node> demanded = new LinkedHashSet<>();
    private final LinkedHashSet<Node> waiting = new LinkedHashSet<>();
    private final PriorityQueue<Node> queue = new PriorityQueue<>(
            Comparator.comparingDouble((Node n) -> -n.priority).thenComparingLong(n -> n.seq));
    private final Set<Node> inQueue = new HashSet<>();
    private final LatencyRecorder latency = new LatencyRecorder();
    private Observer observer;
    private boolean dirty;
    private boolean staleDemand;
    private boolean resetCaps;
    private boolean closed;
    private int inFlight;
    private long seq;
    private long handleSerial;
    private long loadedCount;
    private long failedCount;
    private long cancelledCount;
    private long bytesRead;

    private Streamer(Builder b) {
        this.catalog = b.catalog;
        this.source = b.source;
        this.ownsWorkers = b.workers == null;
        this.workers = b.workers == null ? Workers.pool(Runtime.getRuntime().availableProcessors()) : b.workers;
        this.ticker = b.ticker;
        this.view = b.view;
        this.gpuBackend = b.gpu;
        this.listener = b.listener;
        this.loaders = new LinkedHashMap<>(b.loaders);
        this.cpu = new Tier<>("cpu", b.cpuBudget, b.cpuPolicy);
        this.gpu = new Tier<>("gpu", b.gpu == null ? 0 : b.gpu.budgetBytes(), b.gpuPolicy);
        this.disk = b.diskStore == null ? null : new DiskCache(b.diskStore, b.diskBudget, b.diskPolicy, b.diskIo);
        this.maxInFlight = b.maxInFlightReads;
    }

    /** A builder for a streamer over {@code catalog} reading from {@code source}. */
    public static Builder builder(AssetCatalog catalog, AssetSource source) {
        return new Builder(catalog, source);
    }

    /** The catalog this streamer loads from. */
    public AssetCatalog catalog() {
        return catalog;
    }

    /**
     * Takes a reference to the asset at {@code path} and starts streaming it. Unknown paths give a
     * handle whose future completes with a placeholder (and a {@link StreamEvent.LoadFailed}).
     *
     * @param owner who holds the reference, for leak reports (e.g. {@code "level1/door#12"})
     */
    public AssetHandle acquire(String path, String owner) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(owner, "owner");
        return locked(() -> {
            if (closed) {
                throw new IllegalStateException("streamer is closed; cannot acquire " + path);
            }
            Tracked t = tracked.get(path);
            boolean fresh = t == null;
            if (fresh) {
                t = newTracked(path);
                tracked.put(path, t);
            }
            AssetHandle h = new AssetHandle(this, t, owner, ticker.nanos(), ++handleSerial);
            t.handles.add(h);
            liveHandles.add(h);
            if (t.entry == null) {
                if (fresh) {
                    AssetLoadException e = new AssetLoadException(List.of(path), "not in the catalog", null);
                    t.failure = e;
                    emit(new StreamEvent.LoadFailed(path, e));
                    completeFirst(t, new Loaded(path, -1, placeholderFor(null), e));
                }
                return h;
            }
            if (fresh) {
                evaluate(t);
                refreshPin(t);
                if (t.pinnedLevel >= 0) {
                    homeTier(t.levels.get(t.pinnedLevel)).hits++;
                }
                demandTracked(t);
                dispatch();
            }
            return h;
        });
    }

    /** Moves the observer: re-evaluates every request's priority and wanted level, then dispatches. */
    public void updateObserver(Observer o) {
        Objects.requireNonNull(o, "observer");
        locked(() -> {
            observer = o;
            for (Tracked t : tracked.values()) {
                evaluate(t);
            }
            dirty = true;
            dispatch();
            return null;
        });
    }

    /** The state of the catalog entry at {@code path} (Idle for unknown paths). */
    public AssetState state(String path) {
        return locked(() -> {
            int ord = catalog.ordinalOf(path);
            Node n = ord < 0 ? null : nodes.get(ord);
            return n == null ? new AssetState.Idle() : stateOf(n);
        });
    }

    /** Counters, tier usage and latency percentiles. */
    public StreamStats stats() {
        return locked(() -> {
            if (staleDemand && !closed) {
                recompute();
            }
            return snapshot();
        });
    }

    private StreamStats snapshot() {
        return (new StreamStats(
                cpu.stats(),
                gpu.stats(),
                disk == null ? new TierStats("disk", 0, 0, 0, 0, 0, 0, 0) : disk.tier.stats(),
                (int) demanded.stream()
                        .filter(n -> n.status == Node.Status.QUEUED)
                        .count(),
                inFlight
                        + (int) demanded.stream()
                                .filter(n -> n.status == Node.Status.DECODING)
                                .count(),
                loadedCount,
                failedCount,
                cancelledCount,
                bytesRead,
                liveHandles.size(),
                latency.percentile(0.50),
                latency.percentile(0.90),
                latency.percentile(0.99)));
    }

    /** Every handle not yet released, oldest first. */
    public List<AssetHandle.Info> outstandingHandles() {
        return locked(() -> liveHandles.stream()
                .map(h -> new AssetHandle.Info(h.path(), h.owner(), h.acquiredAtNanos()))
                .toList());
    }

    /** A readable report of handles never released, grouped by owner; empty when none. */
    public String leakReport() {
        List<AssetHandle.Info> live = outstandingHandles();
        if (live.isEmpty()) {
            return "";
        }
        Map<String, List<String>> byOwner = new LinkedHashMap<>();
        for (AssetHandle.Info i : live) {
            byOwner.computeIfAbsent(i.owner(), k -> new ArrayList<>()).add(i.path());
        }
        StringBuilder sb = new StringBuilder(live.size() + " handle(s) never released:\n");
        byOwner.forEach((owner, paths) ->
                sb.append("  ").append(owner).append(" holds ").append(paths).append('\n'));
        return sb.toString();
    }

    /** Owners holding {@code path}. */
    public List<String> holders(String path) {
        return locked(() -> {
            Tracked t = tracked.get(path);
            return t == null
                    ? List.<String>of()
                    : t.handles.stream().map(AssetHandle::owner).toList();
        });
    }

    /** Stops loading, frees GPU uploads and the worker pool it created. Live handles stay reported. */
    @Override
    public void close() {
        locked(() -> {
            if (closed) {
                return null;
            }
            closed = true;
            for (Node n : nodes.values()) {
                if (n.job != null) {
                    n.job.cancelled = true;
                }
                if (n.gpu != null) {
                    gpuBackend.free(n.gpu);
                    n.gpu = null;
                }
            }
            queue.clear();
            inQueue.clear();
            for (Tracked t : tracked.values()) {
                CompletableFuture<Loaded> f = t.first;
                deferred.add(() -> f.completeExceptionally(new CancellationException("streamer closed")));
            }
            return null;
        });
        if (ownsWorkers) {
            workers.close();
        }
    }

    // ---- handle queries -------------------------------------------------------------------

    int levelOf(AssetHandle h) {
        return locked(() -> h.tracked.pinnedLevel);
    }

    int wantedOf(AssetHandle h) {
        return locked(() -> Math.min(h.tracked.wanted, h.tracked.cap));
    }

    Optional<Object> valueOf(AssetHandle h) {
        return locked(() -> {
            Tracked t = h.tracked;
            if (t.pinnedLevel < 0) {
                return Optional.empty();
            }
            return Optional.ofNullable(t.levels.get(t.pinnedLevel).value);
        });
    }

    AssetState stateOf(AssetHandle h) {
        return locked(() -> {
            Tracked t = h.tracked;
            if (t.entry == null) {
                return new AssetState.Failed(t.failure);
            }
            if (t.pinnedLevel >= 0) {
                return stateOf(t.levels.get(t.pinnedLevel));
            }
            for (int i = t.levels.size() - 1; i >= 0; i--) {
                Node n = t.levels.get(i);
                if (n.demanded || n.status == Node.Status.FAILED) {
                    return stateOf(n);
                }
            }
            return stateOf(t.levels.getFirst());
        });
    }

    void release(AssetHandle h) {
        locked(() -> {
            if (h.released) {
                throw new IllegalStateException("handle on " + h.path() + " held by " + h.owner() + " released twice");
            }
            doRelease(h);
            return null;
        });
    }

    void releaseQuietly(AssetHandle h) {
        locked(() -> {
            if (!h.released) {
                doRelease(h);
            }
            return null;
        });
    }

    private void doRelease(AssetHandle h) {
        h.released = true;
        liveHandles.remove(h);
        Tracked t = h.tracked;
        t.handles.remove(h);
        if (!t.handles.isEmpty()) {
            return;
        }
        tracked.remove(t.path);
        if (t.pinnedLevel >= 0) {
            unpin(t.levels.get(t.pinnedLevel));
            t.pinnedLevel = -1;
        }
        for (Node n : t.levels) {
            n.owners.remove(t);
        }
        if (!t.first.isDone()) {
            CompletableFuture<Loaded> f = t.first;
            deferred.add(() -> f.cancel(false));
        }
        resetCaps = true;
        boolean outstanding = false;
        for (Node n : t.levels) {
            if (n.demanded && n.status != Node.Status.READY) {
                outstanding = true;
            } else if (n.owners.isEmpty()) {
                // Fully loaded and nobody else asks for it: no recompute needed, just stop wanting it.
                n.demanded = false;
                demanded.remove(n);
                updatePin(n);
            }
        }
        if (outstanding) {
            // Loads in the queue or in flight for this asset: recompute so they are cancelled.
            dirty = true;
        } else {
            // Its dependencies may still be marked wanted (and so held). Rather than recompute on
            // every release, recompute before anything needs their room, and before reporting.
            staleDemand = true;
        }
        if (!closed) {
            dispatch();
        }
    }

    // ---- demand -----------------------------------------------------------------------------

    private Tracked newTracked(String path) {
        int ord = catalog.ordinalOf(path);
        if (ord < 0) {
            return new Tracked(path, null, List.of());
        }
        CatalogEntry e = catalog.get(ord);
        List<Node> levels = new ArrayList<>();
        if (e.variants().isEmpty()) {
            levels.add(node(ord));
        } else {
            for (String v : e.variants()) {
                int vo = catalog.ordinalOf(v);
                // A variant missing from the catalog stands for the base entry so the asset still loads.
                levels.add(node(vo < 0 ? ord : vo));
            }
        }
        Tracked t = new Tracked(path, e, levels);
        for (Node n : levels) {
            n.owners.add(t);
        }
        return t;
    }

    private Node node(int ord) {
        return nodes.computeIfAbsent(ord, o -> {
            CatalogEntry e = catalog.get(o);
            AssetLoader<?> loader = loaderFor(e.type());
            return new Node(e, loader, loader.gpuResident() && gpuBackend != null);
        });
    }

    private AssetLoader<?> loaderFor(String type) {
        AssetLoader<?> l = loaders.get(type);
        if (l != null) {
            return l;
        }
        int slash = type.indexOf('/');
        if (slash > 0) {
            l = loaders.get(type.substring(0, slash) + "/*");
        }
        return l != null ? l : loaders.getOrDefault("*/*", Loaders.raw());
    }

    private Object placeholderFor(CatalogEntry e) {
        return e == null ? Loaders.raw().placeholder(null) : loaderFor(e.type()).placeholder(e);
    }

    /** Recomputes a request's wanted level and priority from the observer. */
    private void evaluate(Tracked t) {
        if (t.entry == null) {
            return;
        }
        int levels = t.levels.size();
        Bounds b = t.entry.bounds();
        if (observer == null || b == null) {
            t.wanted = levels - 1;
            t.priority = b == null ? ViewPolicy.CRITICAL : 1.0;
        } else {
            t.wanted = view.streamLevel(observer, b, levels);
            t.priority = view.priority(observer, b);
        }
    }

    private void recompute() {
        dirty = false;
        staleDemand = false;
        if (resetCaps) {
            resetCaps = false;
            for (Tracked t : tracked.values()) {
                t.cap = Integer.MAX_VALUE;
            }
        }
        LinkedHashSet<Node> old = demanded;
        demanded = new LinkedHashSet<>();
        for (Node n : old) {
            n.demanded = false;
            n.priority = 0;
        }
        for (Tracked t : tracked.values()) {
            refreshPin(t);
            demandTracked(t);
        }
        for (Node n : old) {
            if (n.demanded) {
                continue;
            }
            switch (n.status) {
                case QUEUED -> {
                    n.status = Node.Status.IDLE;
                    n.queuedAt = -1;
                    cancelledCount++;
                }
                case READING, DECODING -> n.job.cancelled = true;
                case WAITING_DEPS, READY -> updatePin(n);
                case IDLE, FAILED -> {}
            }
        }
        queue.clear();
        inQueue.clear();
        for (Node n : demanded) {
            if (n.status == Node.Status.QUEUED) {
                queue.add(n);
                inQueue.add(n);
            }
        }
    }

    private void demandTracked(Tracked t) {
        if (t.entry == null || t.handles.isEmpty()) {
            return;
        }
        int eff = Math.min(t.wanted, t.cap);
        int r = t.pinnedLevel;
        double p = t.priority;
        if (r < 0) {
            int coarse = firstLoadable(t, 0, +1);
            if (coarse < 0) {
                return;
            }
            demand(t.levels.get(coarse), p * 4, new HashSet<>());
            int fine = firstLoadable(t, eff, -1);
            if (fine > coarse) {
                demand(t.levels.get(fine), p, new HashSet<>());
            }
        } else if (r < eff) {
            int fine = firstLoadable(t, eff, -1);
            if (fine > r) {
                demand(t.levels.get(fine), p * 0.5 * (fine - r), new HashSet<>());
            }
        } else if (r > eff) {
            Node home = t.levels.get(r);
            Tier<Node> tier = homeTier(home);
            // Under memory pressure, stream the coarser level the observer now wants so the finer one can go.
            if (tier.bytes() > tier.budget * 0.9 && t.levels.get(eff).status != Node.Status.FAILED) {
                demand(t.levels.get(eff), p * 0.05, new HashSet<>());
            }
        }
    }

    private static int firstLoadable(Tracked t, int from, int step) {
        for (int i = from; i >= 0 && i < t.levels.size(); i += step) {
            if (t.levels.get(i).status != Node.Status.FAILED) {
                return i;
            }
        }
        return -1;
    }

    private void demand(Node n, double p, Set<Node> stack) {
        if (n.status == Node.Status.FAILED) {
            return;
        }
        if (n.demanded && p <= n.priority) {
            return;
        }
        if (!n.demanded) {
            n.demanded = true;
            demanded.add(n);
            updatePin(n);
        }
        n.priority = Math.max(n.priority, p);
        if (n.deps == null && !resolveDeps(n)) {
            return;
        }
        stack.add(n);
        for (Node d : n.deps) {
            if (stack.contains(d)) {
                List<String> chain = new ArrayList<>();
                for (Node s : stack) {
                    chain.add(s.path());
                }
                chain.add(d.path());
                failNode(n, new AssetLoadException(chain, "dependency cycle", null));
                stack.remove(n);
                return;
            }
            if (d.status == Node.Status.FAILED) {
                failNode(n, d.failure.via(n.path()));
                stack.remove(n);
                return;
            }
            demand(d, p * 1.01 + 1, stack);
            if (d.status == Node.Status.FAILED) {
                failNode(n, d.failure.via(n.path()));
                stack.remove(n);
                return;
            }
        }
        stack.remove(n);
        if (n.status == Node.Status.IDLE) {
            n.status = Node.Status.QUEUED;
            n.seq = ++seq;
            if (n.queuedAt < 0) {
                n.queuedAt = ticker.nanos();
            }
        }
        if (n.status == Node.Status.QUEUED && inQueue.add(n)) {
            queue.add(n);
        }
    }

    private boolean resolveDeps(Node n) {
        List<Node> deps = new ArrayList<>(n.entry.dependencies().size());
        for (String dp : n.entry.dependencies()) {
            int ord = catalog.ordinalOf(dp);
            if (ord < 0) {
                AssetLoadException missing = new AssetLoadException(List.of(dp), "not in the catalog", null);
                failNode(n, missing.via(n.path()));
                return false;
            }
            deps.add(node(ord));
        }
        n.deps = deps;
        return true;
    }

    // ---- dispatch and the pipeline ----------------------------------------------------------

    private void dispatch() {
        for (int pass = 0; pass < 8 && !closed; pass++) {
            if (dirty) {
                recompute();
            }
            dispatchPass();
            if (!dirty) {
                return;
            }
        }
    }

    private void dispatchPass() {
        List<Node> blocked = new ArrayList<>();
        // Bounded: each queued node is looked at about once per pass, whatever evictions re-queue.
        int budget = queue.size() + 16;
        while (inFlight < maxInFlight && budget-- > 0) {
            Node n = queue.poll();
            if (n == null) {
                break;
            }
            inQueue.remove(n);
            if (!n.demanded || n.status != Node.Status.QUEUED) {
                continue;
            }
            if (n.gpuHome && n.cpuSlot != null && n.value != null) {
                // The decoded CPU copy is still cached: upload it again without any I/O.
                List<Tier.Slot<Node>> ev = new ArrayList<>();
                if (!gpu.makeRoom(n.cpuSlot.bytes, ev)) {
                    blocked.add(n);
                    noRoom(n, gpu);
                    continue;
                }
                evicted(gpu, ev);
                cpu.hits++;
                cpu.touch(n.cpuSlot);
                gpu.misses++;
                n.gpu = gpuBackend.upload(n.entry, n.value, n.cpuSlot.bytes);
                n.gpuSlot = gpu.admit(n, n.cpuSlot.bytes, false);
                resident(n);
                continue;
            }
            Tier<Node> home = homeTier(n);
            List<Tier.Slot<Node>> ev = new ArrayList<>();
            if (!home.reserve(n.estimate(), ev)) {
                blocked.add(n);
                noRoom(n, home);
                continue;
            }
            evicted(home, ev);
            home.misses++;
            n.status = Node.Status.READING;
            inFlight++;
            Node.Job job = new Node.Job(n, n.estimate(), home);
            n.job = job;
            boolean diskHit = disk != null && !source.local() && disk.lookup(n.entry.id());
            deferred.add(() -> startRead(job, diskHit));
        }
        for (Node b : blocked) {
            if (b.status == Node.Status.QUEUED && b.demanded && inQueue.add(b)) {
                queue.add(b);
            }
        }
    }

    private void noRoom(Node n, Tier<Node> tier) {
        if (staleDemand) {
            // Entries released since the last recompute may still be held as wanted: free them first.
            dirty = true;
            return;
        }
        for (Tracked t : n.owners) {
            int level = t.levels.indexOf(n);
            if (level > 0 && level <= Math.min(t.cap, t.wanted) && t.pinnedLevel < level) {
                t.cap = level - 1;
                // Caps are retried whenever references are released; report each fall only once.
                if (t.cap < t.reportedCap) {
                    t.reportedCap = t.cap;
                    emit(new StreamEvent.LodDowngraded(t.path, level, level - 1, tier.name));
                }
                dirty = true;
            }
        }
    }

    private void startRead(Node.Job job, boolean diskHit) {
        CatalogEntry e = job.node.entry;
        CompletableFuture<byte[]> f = readFrom(diskHit ? null : source, e);
        if (diskHit) {
            // A cache file can vanish under us (evicted, deleted by hand): fall back to the source.
            f = f.exceptionallyCompose(err -> readFrom(source, e));
        }
        f.whenComplete((bytes, err) -> locked(() -> {
            onRead(job, bytes, err, diskHit);
            return null;
        }));
    }

    private CompletableFuture<byte[]> readFrom(AssetSource from, CatalogEntry e) {
        try {
            return from == null ? disk.read(e) : from.read(e);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void onRead(Node.Job job, byte[] bytes, Throwable err, boolean diskHit) {
        inFlight--;
        Node n = job.node;
        if (bytes != null) {
            bytesRead += bytes.length;
        }
        if (dirty && !closed) {
            recompute();
        }
        if (job.cancelled || !n.demanded || n.status != Node.Status.READING || closed) {
            abort(job);
            dispatch();
            return;
        }
        if (err != null) {
            abort(job);
            failNode(n, wrap(n, err));
            dispatch();
            return;
        }
        n.status = Node.Status.DECODING;
        boolean toDisk = disk != null && !diskHit && !source.local();
        deferred.add(() -> workers.submit(n.entry, () -> cpuStage(job, bytes, toDisk))
                .whenComplete((out, err2) -> locked(() -> {
                    onDecoded(job, out, err2, toDisk ? bytes.length : -1);
                    return null;
                })));
        dispatch();
    }

    /** Verify, (cache to disk), decompress, decode; stops at each boundary once cancelled. */
    private Object cpuStage(Node.Job job, byte[] stored, boolean toDisk) {
        CatalogEntry e = job.node.entry;
        ObjectId actual = Sha256.of(stored);
        if (!actual.equals(e.id())) {
            throw new CorruptObjectException(e.path(), e.id(), actual);
        }
        if (toDisk) {
            disk.write(stored);
        }
        if (job.cancelled) {
            return STAGE_CANCELLED;
        }
        byte[] raw = e.compression().decompress(stored, e.rawSize(), e.path());
        if (job.cancelled) {
            return STAGE_CANCELLED;
        }
        @SuppressWarnings("unchecked")
        AssetLoader<Object> loader = (AssetLoader<Object>) job.node.loader;
        Object value = loader.load(e, raw);
        return new Decoded(value, loader.footprint(value));
    }

    private record Decoded(Object value, long footprint) {}

    private void onDecoded(Node.Job job, Object out, Throwable err, long diskBytes) {
        Node n = job.node;
        if (diskBytes >= 0 && err == null) {
            List<ObjectId> delete = disk.admitted(n.entry.id(), diskBytes);
            if (!delete.isEmpty()) {
                deferred.add(() -> delete.forEach(disk.store::delete));
            }
        }
        if (dirty && !closed) {
            recompute();
        }
        if (out == STAGE_CANCELLED || job.cancelled || !n.demanded || n.status != Node.Status.DECODING || closed) {
            abort(job);
            dispatch();
            return;
        }
        if (err != null) {
            abort(job);
            failNode(n, wrap(n, err));
            dispatch();
            return;
        }
        Decoded d = (Decoded) out;
        Tier<Node> home = job.tier;
        home.unreserve(job.reserved);
        n.job = null;
        List<Tier.Slot<Node>> ev = new ArrayList<>();
        if (!home.makeRoom(d.footprint(), ev)) {
            n.status = Node.Status.IDLE;
            n.queuedAt = -1;
            noRoom(n, home);
            dispatch();
            return;
        }
        evicted(home, ev);
        if (home == gpu) {
            n.gpu = gpuBackend.upload(n.entry, d.value(), d.footprint());
            n.gpuSlot = gpu.admit(n, d.footprint(), false);
            List<Tier.Slot<Node>> ev2 = new ArrayList<>();
            if (cpu.makeRoom(d.footprint(), ev2)) {
                evicted(cpu, ev2);
                n.cpuSlot = cpu.admit(n, d.footprint(), false);
                n.value = d.value();
            }
        } else {
            n.cpuSlot = cpu.admit(n, d.footprint(), false);
            n.value = d.value();
        }
        resident(n);
        dispatch();
    }

    private void abort(Node.Job job) {
        Node n = job.node;
        if (n.job == job) {
            n.job = null;
            job.tier.unreserve(job.reserved);
            if (n.status == Node.Status.READING || n.status == Node.Status.DECODING) {
                n.status = Node.Status.IDLE;
                n.queuedAt = -1;
                cancelledCount++;
                if (n.demanded && !closed) {
                    // Still wanted after all (cancelled for a moment, then wanted again): queue afresh.
                    n.status = Node.Status.QUEUED;
                    n.queuedAt = ticker.nanos();
                    if (inQueue.add(n)) {
                        queue.add(n);
                    }
                }
            }
        }
    }

    private static AssetLoadException wrap(Node n, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        String reason = switch (cause) {
            case ObjectNotFoundException nf -> "object " + nf.id().shortHex(12) + " not found in the source";
            case CorruptObjectException c ->
                "hash mismatch (corrupt object " + n.entry.id().shortHex(12) + ")";
            case LodeException le -> le.getMessage();
            default -> cause.getClass().getSimpleName() + ": " + cause.getMessage();
        };
        return new AssetLoadException(List.of(n.path()), reason, cause);
    }

    // ---- residency, readiness, failure ------------------------------------------------------

    /** A node just became resident in its home tier. */
    private void resident(Node n) {
        if (depsUsable(n)) {
            markReady(n);
        } else {
            n.status = Node.Status.WAITING_DEPS;
            waiting.add(n);
            updatePin(n);
        }
        promoteWaiting();
    }

    private void markReady(Node n) {
        n.status = Node.Status.READY;
        waiting.remove(n);
        updatePin(n);
        long lat = n.queuedAt >= 0 ? ticker.nanos() - n.queuedAt : 0;
        n.queuedAt = -1;
        latency.record(lat);
        loadedCount++;
        emit(new StreamEvent.Loaded(n.path(), lat));
        if (n.owners.isEmpty()) {
            dirty = true;
        }
        for (Tracked t : List.copyOf(n.owners)) {
            refreshPin(t);
        }
    }

    private void promoteWaiting() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Node w : List.copyOf(waiting)) {
                if (w.status != Node.Status.WAITING_DEPS) {
                    waiting.remove(w);
                    continue;
                }
                Node failed = w.deps.stream()
                        .filter(d -> d.status == Node.Status.FAILED)
                        .findFirst()
                        .orElse(null);
                if (failed != null) {
                    failNode(w, failed.failure.via(w.path()));
                    changed = true;
                } else if (depsUsable(w)) {
                    markReady(w);
                    changed = true;
                }
            }
        }
    }

    private boolean depsUsable(Node n) {
        for (Node d : n.deps) {
            if (!usable(d)) {
                return false;
            }
        }
        return true;
    }

    private boolean usable(Node n) {
        return n.status == Node.Status.READY && depsUsable(n);
    }

    private void failNode(Node n, AssetLoadException e) {
        if (n.status == Node.Status.FAILED || n.status == Node.Status.READY) {
            return;
        }
        if (n.job != null) {
            n.job.cancelled = true;
        }
        dropResidency(n);
        waiting.remove(n);
        n.status = Node.Status.FAILED;
        n.failure = e;
        n.queuedAt = -1;
        failedCount++;
        dirty = true;
        emit(new StreamEvent.LoadFailed(n.path(), e));
        for (Tracked t : List.copyOf(n.owners)) {
            if (t.pinnedLevel < 0 && !t.first.isDone()) {
                t.failure = e;
                completeFirst(t, new Loaded(t.path, -1, placeholderFor(t.entry), e));
            }
        }
    }

    private void dropResidency(Node n) {
        if (n.cpuSlot != null) {
            cpu.remove(n.cpuSlot);
            n.cpuSlot = null;
            n.value = null;
        }
        if (n.gpuSlot != null) {
            gpu.remove(n.gpuSlot);
            n.gpuSlot = null;
            gpuBackend.free(n.gpu);
            n.gpu = null;
        }
    }

    private void evicted(Tier<Node> tier, List<Tier.Slot<Node>> slots) {
        for (Tier.Slot<Node> s : slots) {
            Node n = s.key;
            if (tier == cpu) {
                n.cpuSlot = null;
                n.value = null;
            } else {
                n.gpuSlot = null;
                gpuBackend.free(n.gpu);
                n.gpu = null;
            }
            emit(new StreamEvent.Evicted(n.path(), tier.name, s.bytes));
            if (n.homeSlot() == null && (n.status == Node.Status.READY || n.status == Node.Status.WAITING_DEPS)) {
                waiting.remove(n);
                n.status = Node.Status.IDLE;
                if (n.demanded) {
                    n.status = Node.Status.QUEUED;
                    n.seq = ++seq;
                    n.queuedAt = ticker.nanos();
                    if (inQueue.add(n)) {
                        queue.add(n);
                    }
                }
            }
        }
    }

    // ---- references -------------------------------------------------------------------------

    /** Points a request at its best usable level, moving its pin; completes its first future. */
    private void refreshPin(Tracked t) {
        if (t.entry == null) {
            return;
        }
        int eff = Math.min(t.wanted, t.cap);
        int cand = -1;
        if (eff >= 0 && eff < t.levels.size() && usable(t.levels.get(eff))) {
            cand = eff;
        } else {
            for (int i = t.levels.size() - 1; i >= 0; i--) {
                if (usable(t.levels.get(i))) {
                    cand = i;
                    break;
                }
            }
        }
        if (cand != t.pinnedLevel) {
            if (cand >= 0) {
                pin(t.levels.get(cand));
            }
            if (t.pinnedLevel >= 0) {
                unpin(t.levels.get(t.pinnedLevel));
            }
            t.pinnedLevel = cand;
        }
        if (cand >= Math.min(t.wanted, t.levels.size() - 1)) {
            t.reportedCap = Integer.MAX_VALUE;
        }
        if (cand >= 0 && !t.first.isDone()) {
            Node n = t.levels.get(cand);
            completeFirst(t, new Loaded(t.path, cand, n.value, null));
        }
    }

    private void pin(Node n) {
        n.pins++;
        updatePin(n);
        Tier.Slot<Node> s = n.homeSlot();
        if (s != null) {
            homeTier(n).touch(s);
        }
        for (Node d : n.deps) {
            pin(d);
        }
    }

    private void unpin(Node n) {
        n.pins--;
        if (n.pins < 0) {
            throw new IllegalStateException("reference count of " + n.path() + " went negative");
        }
        updatePin(n);
        for (Node d : n.deps) {
            unpin(d);
        }
    }

    private void updatePin(Node n) {
        Tier.Slot<Node> s = n.homeSlot();
        if (s != null) {
            // Referenced, or resident and wanted by a pending request (a dependency waiting for its
            // dependant, a level about to be used): evicting those would only make them load again.
            boolean pinned = n.pins > 0
                    || (n.demanded && (n.status == Node.Status.WAITING_DEPS || n.status == Node.Status.READY));
            homeTier(n).setPinned(s, pinned);
        }
    }

    private Tier<Node> homeTier(Node n) {
        return n.gpuHome ? gpu : cpu;
    }

    private AssetState stateOf(Node n) {
        return switch (n.status) {
            case IDLE -> new AssetState.Idle();
            case QUEUED -> new AssetState.Queued(n.priority);
            case READING -> new AssetState.Loading("read");
            case DECODING -> new AssetState.Loading("decode");
            case WAITING_DEPS -> new AssetState.Loading("dependencies");
            case READY -> new AssetState.Ready(n.cpuSlot != null, n.gpuSlot != null);
            case FAILED -> new AssetState.Failed(n.failure);
        };
    }

    // ---- plumbing ---------------------------------------------------------------------------

    private void completeFirst(Tracked t, Loaded l) {
        CompletableFuture<Loaded> f = t.first;
        deferred.add(() -> f.complete(l));
    }

    private void emit(StreamEvent e) {
        if (listener != null) {
            deferred.add(() -> {
                try {
                    listener.accept(e);
                } catch (RuntimeException ex) {
                    LOG.warn("stream event listener threw on {}", e, ex);
                }
            });
        }
    }

    /** Runs {@code body} under the lock, then the I/O, futures and events it queued. */
    private <T> T locked(Supplier<T> body) {
        List<Runnable> todo;
        T result;
        lock.lock();
        try {
            result = body.get();
            if (deferred.isEmpty()) {
                return result;
            }
            todo = new ArrayList<>(deferred);
            deferred.clear();
        } finally {
            lock.unlock();
        }
        ArrayDeque<Runnable> work = new ArrayDeque<>(todo);
        while (!work.isEmpty()) {
            work.poll().run();
        }
        return result;
    }

    /** Configuration for a {@link Streamer}; every setter validates its argument. */
    public static final class Builder {
        private final AssetCatalog catalog;
        private final AssetSource source;
        private Workers workers;
        private Ticker ticker = Ticker.system();
        private ViewPolicy view = ViewPolicy.defaults();
        private GpuBackend gpu;
        private EvictionPolicy gpuPolicy = EvictionPolicy.LRU;
        private long cpuBudget = 256L << 20;
        private EvictionPolicy cpuPolicy = EvictionPolicy.LRU;
        private ObjectStore diskStore;
        private long diskBudget;
        private EvictionPolicy diskPolicy = EvictionPolicy.LRU;
        private Executor diskIo;
        private int maxInFlightReads = 8;
        private Consumer<StreamEvent> listener;
        private final Map<String, AssetLoader<?>> loaders = new LinkedHashMap<>();

        private Builder(AssetCatalog catalog, AssetSource source) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            this.source = Objects.requireNonNull(source, "source");
            loaders.put("image/*", Loaders.image());
            loaders.put("model/gltf-binary", Loaders.gltf());
            loaders.put("model/gltf+json", Loaders.gltf());
            loaders.put("*/*", Loaders.raw());
        }

        /** The CPU stage pool; default a platform pool sized to the cores, closed with the streamer. */
        public Builder workers(Workers w) {
            this.workers = Objects.requireNonNull(w, "workers");
            return this;
        }

        /** The clock for latencies; default {@link Ticker#system()}. */
        public Builder ticker(Ticker t) {
            this.ticker = Objects.requireNonNull(t, "ticker");
            return this;
        }

        /** How observers become priorities and LOD levels. */
        public Builder viewPolicy(ViewPolicy v) {
            this.view = Objects.requireNonNull(v, "viewPolicy");
            return this;
        }

        /** CPU tier budget and policy; default 256 MiB, LRU. */
        public Builder cpuTier(long budgetBytes, EvictionPolicy policy) {
            if (budgetBytes < 0) {
                throw new IllegalArgumentException("negative CPU budget " + budgetBytes);
            }
            this.cpuBudget = budgetBytes;
            this.cpuPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** The GPU tier: the renderer's backend (its budget) and the eviction policy. */
        public Builder gpuTier(GpuBackend backend, EvictionPolicy policy) {
            this.gpu = Objects.requireNonNull(backend, "gpu backend");
            this.gpuPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * An on-disk cache for a remote source: verified objects are written to {@code store}
         * (e.g. a LocalObjectStore) and evicted past {@code budgetBytes}. Ignored for local sources.
         */
        public Builder diskCache(ObjectStore store, long budgetBytes, EvictionPolicy policy) {
            if (budgetBytes < 0) {
                throw new IllegalArgumentException("negative disk budget " + budgetBytes);
            }
            this.diskStore = Objects.requireNonNull(store, "store");
            this.diskBudget = budgetBytes;
            this.diskPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** At most this many reads in flight (default 8). */
        public Builder maxInFlightReads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlightReads must be at least 1, got " + n);
            }
            this.maxInFlightReads = n;
            return this;
        }

        /** Receives {@link StreamEvent}s, outside the streamer's lock. */
        public Builder listener(Consumer<StreamEvent> l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * The loader for a media type: exact ({@code image/png}), a family ({@code image/*}) or the
         * fallback ({@code *}{@code /*}, raw bytes by default).
         */
        public Builder loader(String mediaType, AssetLoader<?> loader) {
            Objects.requireNonNull(mediaType, "mediaType");
            if (!mediaType.contains("/")) {
                throw new IllegalArgumentException("not a media type pattern: '" + mediaType + "'");
            }
            loaders.put(mediaType, Objects.requireNonNull(loader, "loader"));
            return this;
        }

        /** Builds the streamer. */
        public Streamer build() {
            if (diskStore != null && diskIo == null) {
                diskIo = Executors.newVirtualThreadPerTaskExecutor();
            }
            return new Streamer(this);
        }
    }
}
