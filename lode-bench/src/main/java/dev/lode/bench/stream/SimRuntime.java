package dev.lode.bench.stream;

import dev.lode.stream.AssetLoader;
import dev.lode.stream.AssetSource;
import dev.lode.stream.CatalogEntry;
import dev.lode.stream.Ticker;
import dev.lode.stream.Workers;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Virtual time for the simulation: a clock, an event queue, a serial link with a bandwidth and a
 * per-request latency, and decode cores. Everything runs on the calling thread in event order, so
 * a run is a pure function of its seed.
 */
final class SimRuntime implements Ticker {
    private record Event(long at, long seq, Runnable action) {}

    private final PriorityQueue<Event> events =
            new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final SimWorld world;
    private long now;
    private long seq;
    private long linkFreeAt;
    long bytesLoaded;
    long reads;

    SimRuntime(SimWorld world) {
        this.world = world;
    }

    @Override
    public long nanos() {
        return now;
    }

    void at(long time, Runnable action) {
        events.add(new Event(Math.max(time, now), ++seq, action));
    }

    /** Runs every event due by {@code time}, then sets the clock to it. */
    void runUntil(long time) {
        while (!events.isEmpty() && events.peek().at <= time) {
            Event e = events.poll();
            now = e.at;
            e.action.run();
        }
        now = time;
    }

    /** When a read of {@code path} issued now would finish; occupies the link until then. */
    long transfer(String path) {
        long bytes = world.sizes.get(path).stored();
        long start = Math.max(now, linkFreeAt);
        long done = start + world.config.latencyNanos() + bytes * 1_000_000_000L / world.config.bandwidth();
        linkFreeAt = done;
        bytesLoaded += bytes;
        reads++;
        return done;
    }

    long decodeNanos(String path) {
        return world.config.decodeBaseNanos()
                + world.sizes.get(path).memory() * 1_000_000_000L / world.config.decodeBytesPerSecond();
    }

    /** The link as an {@link AssetSource}: the token bytes arrive when the modelled transfer ends. */
    AssetSource link() {
        return entry -> {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            at(transfer(entry.path()), () -> f.complete(SimWorld.token(entry.path())));
            return f;
        };
    }

    /** {@code cores} decode cores, first come first served; work runs when its core starts it. */
    Workers workers(int cores) {
        long[] freeAt = new long[cores];
        return new Workers() {
            @Override
            public <T> CompletableFuture<T> submit(CatalogEntry asset, Supplier<T> work) {
                int core = 0;
                for (int i = 1; i < cores; i++) {
                    if (freeAt[i] < freeAt[core]) {
                        core = i;
                    }
                }
                long start = Math.max(now, freeAt[core]);
                long end = start + decodeNanos(asset.path());
                freeAt[core] = end;
                CompletableFuture<T> f = new CompletableFuture<>();
                at(start, () -> {
                    T result;
                    try {
                        result = work.get();
                    } catch (RuntimeException e) {
                        at(end, () -> f.completeExceptionally(e));
                        return;
                    }
                    at(end, () -> f.complete(result));
                });
                return f;
            }
        };
    }

    /** A decoded stand-in: the path and the modelled memory it occupies. */
    record SimAsset(String path, long bytes) {}

    /** The loader for simulated assets; GPU-resident or not. */
    static AssetLoader<SimAsset> loader(boolean gpu) {
        return new AssetLoader<>() {
            @Override
            public SimAsset load(CatalogEntry entry, byte[] data) {
                return new SimAsset(entry.path(), entry.memorySize());
            }

            @Override
            public long footprint(SimAsset value) {
                return value.bytes();
            }

            @Override
            public SimAsset placeholder(CatalogEntry entry) {
                return new SimAsset(entry == null ? "?" : entry.path(), 0);
            }

            @Override
            public boolean gpuResident() {
                return gpu;
            }
        };
    }
}
