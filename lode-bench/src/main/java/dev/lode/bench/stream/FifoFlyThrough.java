package dev.lode.bench.stream;

import dev.lode.stream.Observer;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline: a loader in the style of libGDX's AssetManager. One FIFO queue, one worker that
 * reads then decodes one asset at a time, reference counts with dependencies queued before their
 * dependant, no priorities and no cancellation (an asset unloaded while queued is still loaded,
 * then dropped). It respects the same budgets by waiting at the head of the queue until the asset
 * fits; unreferenced assets are freed at once, so there is nothing to evict.
 *
 * <p>The engine picks the LOD itself, as a libGDX game would: it loads the level wanted when the
 * model comes into range and, whenever the wanted level differs from the one shown, loads that
 * level and swaps when it arrives.
 */
final class FifoFlyThrough extends FlyThrough {
    private enum State {
        QUEUED,
        LOADING,
        LOADED
    }

    private final Map<String, State> state = new HashMap<>();
    private final Map<String, Integer> refs = new HashMap<>();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Map<Integer, int[]> held = new LinkedHashMap<>();
    private boolean busy;
    private long gpuUsed;
    private long cpuUsed;

    FifoFlyThrough(SimWorld world, PrintStream log) {
        super(world, log);
    }

    private void load(String path) {
        for (String d : world.deps.get(path)) {
            load(d);
        }
        refs.merge(path, 1, Integer::sum);
        if (!state.containsKey(path)) {
            state.put(path, State.QUEUED);
            queue.add(path);
        }
        pump();
    }

    private void unload(String path) {
        int n = refs.merge(path, -1, Integer::sum);
        if (n < 0) {
            throw new IllegalStateException("FIFO reference count of " + path + " went negative");
        }
        if (n == 0) {
            refs.remove(path);
            if (state.get(path) == State.LOADED) {
                free(path);
                state.remove(path);
            }
        }
        for (String d : world.deps.get(path)) {
            unload(d);
        }
    }

    private void pump() {
        if (busy || queue.isEmpty()) {
            return;
        }
        String head = queue.peek();
        SimWorld.Sizes s = world.sizes.get(head);
        if (s.gpu() ? gpuUsed + s.memory() > config.gpuBudget() : cpuUsed + s.memory() > config.cpuBudget()) {
            return; // wait at the head until references drop
        }
        queue.poll();
        busy = true;
        state.put(head, State.LOADING);
        reserve(head);
        long read = rt.transfer(head);
        rt.at(read, () -> rt.at(rt.nanos() + rt.decodeNanos(head), () -> finish(head)));
    }

    private void finish(String path) {
        busy = false;
        if (refs.containsKey(path)) {
            state.put(path, State.LOADED);
        } else {
            free(path);
            state.remove(path);
        }
        pump();
    }

    private void reserve(String path) {
        SimWorld.Sizes s = world.sizes.get(path);
        if (s.gpu()) {
            gpuUsed += s.memory();
        } else {
            cpuUsed += s.memory();
        }
    }

    private void free(String path) {
        SimWorld.Sizes s = world.sizes.get(path);
        if (s.gpu()) {
            gpuUsed -= s.memory();
        } else {
            cpuUsed -= s.memory();
        }
    }

    private boolean usable(String path) {
        if (state.get(path) != State.LOADED) {
            return false;
        }
        for (String d : world.deps.get(path)) {
            if (!usable(d)) {
                return false;
            }
        }
        return true;
    }

    @Override
    void frame(Observer o, List<SimWorld.Model> inRadius) {
        for (SimWorld.Model m : inRadius) {
            if (!held.containsKey(m.index())) {
                int w = view.wantedLevel(o, m.bounds(), SimWorld.LEVELS);
                load(m.levels().get(w));
                held.put(m.index(), new int[] {-1, w});
            }
        }
        double keep = config.streamRadius() * 1.15;
        for (Iterator<Map.Entry<Integer, int[]>> it = held.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, int[]> e = it.next();
            SimWorld.Model m = world.models.get(e.getKey());
            int[] sp = e.getValue();
            double dx = m.bounds().x() - o.position().x();
            double dz = m.bounds().z() - o.position().z();
            if (dx * dx + dz * dz > keep * keep) {
                release(m, sp);
                it.remove();
                continue;
            }
            if (sp[1] >= 0 && usable(m.levels().get(sp[1]))) {
                if (sp[0] >= 0) {
                    unload(m.levels().get(sp[0]));
                }
                sp[0] = sp[1];
                sp[1] = -1;
            }
            if (sp[1] < 0) {
                int w = view.wantedLevel(o, m.bounds(), SimWorld.LEVELS);
                if (w != sp[0]) {
                    load(m.levels().get(w));
                    sp[1] = w;
                }
            }
        }
        pump();
    }

    private void release(SimWorld.Model m, int[] sp) {
        if (sp[0] >= 0) {
            unload(m.levels().get(sp[0]));
        }
        if (sp[1] >= 0) {
            unload(m.levels().get(sp[1]));
        }
    }

    @Override
    int residentLevel(SimWorld.Model m) {
        int[] sp = held.get(m.index());
        return sp == null ? -1 : sp[0];
    }

    @Override
    long gpuBytes() {
        return gpuUsed;
    }

    @Override
    long cpuBytes() {
        return cpuUsed;
    }

    @Override
    void releaseAll() {
        held.forEach((i, sp) -> release(world.models.get(i), sp));
        held.clear();
    }

    @Override
    SimResult result() {
        long leaks = refs.values().stream().mapToLong(Integer::longValue).sum();
        return new SimResult(
                "fifo",
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
                0,
                0,
                0,
                0);
    }
}
