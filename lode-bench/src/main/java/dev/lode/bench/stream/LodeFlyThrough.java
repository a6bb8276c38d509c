package dev.lode.bench.stream;

import dev.lode.stream.AssetHandle;
import dev.lode.stream.CountingGpu;
import dev.lode.stream.EvictionPolicy;
import dev.lode.stream.Observer;
import dev.lode.stream.StreamEvent;
import dev.lode.stream.StreamStats;
import dev.lode.stream.Streamer;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The fly-through driven through the real {@link Streamer}, on virtual time. */
final class LodeFlyThrough extends FlyThrough {
    final CountingGpu gpu;
    final Streamer streamer;
    private final Map<Integer, AssetHandle> held = new LinkedHashMap<>();
    private final Set<String> resident = new HashSet<>();
    long dependencyViolations;
    long downgrades;
    StreamStats last;

    LodeFlyThrough(SimWorld world, PrintStream log) {
        super(world, log);
        gpu = new CountingGpu(config.gpuBudget());
        streamer = Streamer.builder(world.catalog, rt.link())
                .workers(rt.workers(config.cores()))
                .ticker(rt)
                .viewPolicy(view)
                .gpuTier(gpu, EvictionPolicy.LRU)
                .cpuTier(config.cpuBudget(), EvictionPolicy.LRU)
                .maxInFlightReads(config.maxInFlight())
                .loader("model/gltf-binary", SimRuntime.loader(true))
                .loader("image/*", SimRuntime.loader(true))
                .loader("*/*", SimRuntime.loader(false))
                .listener(this::onEvent)
                .build();
    }

    private void onEvent(StreamEvent e) {
        switch (e) {
            case StreamEvent.Loaded l -> {
                for (String d : world.deps.get(l.path())) {
                    if (!resident.contains(d)) {
                        dependencyViolations++;
                    }
                }
                resident.add(l.path());
            }
            case StreamEvent.Evicted ev -> {
                boolean gpuHome = world.sizes.get(ev.path()).gpu();
                if (ev.tier().equals(gpuHome ? "gpu" : "cpu")) {
                    resident.remove(ev.path());
                }
            }
            case StreamEvent.LodDowngraded d -> downgrades++;
            case StreamEvent.LoadFailed f -> throw new IllegalStateException("simulated load failed: " + f.error());
        }
    }

    @Override
    void frame(Observer o, List<SimWorld.Model> inRadius) {
        for (SimWorld.Model m : inRadius) {
            if (!held.containsKey(m.index())) {
                held.put(m.index(), streamer.acquire(m.path(), "sim/model#" + m.index()));
            }
        }
        double keep = config.streamRadius() * 1.15;
        for (Iterator<Map.Entry<Integer, AssetHandle>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, AssetHandle> e = it.next();
            SimWorld.Model m = world.models.get(e.getKey());
            double dx = m.bounds().x() - o.position().x();
            double dz = m.bounds().z() - o.position().z();
            if (dx * dx + dz * dz > keep * keep) {
                e.getValue().release();
                it.remove();
            }
        }
        streamer.updateObserver(o);
        last = streamer.stats();
    }

    @Override
    int residentLevel(SimWorld.Model m) {
        AssetHandle h = held.get(m.index());
        return h == null ? -1 : h.level();
    }

    @Override
    long gpuBytes() {
        return Math.max(gpu.bytes(), last.gpu().bytes());
    }

    @Override
    long cpuBytes() {
        return last.cpu().bytes();
    }

    @Override
    void releaseAll() {
        held.values().forEach(AssetHandle::release);
        held.clear();
    }

    @Override
    SimResult result() {
        StreamStats s = streamer.stats();
        long leaks = streamer.outstandingHandles().size()
                + s.gpu().pinned()
                + s.cpu().pinned();
        return new SimResult(
                "lode",
                config.frames(),
                popinAssetFrames,
                popinFrames,
                popinDepth,
                missingAssetFrames,
                rt.bytesLoaded,
                rt.reads,
                peakGpu,
                peakCpu,
                overBudgetFrames,
                leaks,
                s.cancelled(),
                downgrades,
                s.latencyP50Nanos() / 1e6,
                s.latencyP99Nanos() / 1e6);
    }
}
