package dev.lode.bench.stream;

import dev.lode.stream.Bounds;
import dev.lode.stream.Observer;
import dev.lode.stream.Vec3;
import dev.lode.stream.ViewPolicy;
import java.io.PrintStream;
import java.util.List;

/**
 * The engine side of the fly-through, shared by both loaders: move the observer, keep references
 * on models within the stream radius, and count pop-in on what is drawn.
 */
abstract class FlyThrough {
    final SimWorld world;
    final SimConfig config;
    final SimRuntime rt;
    final ViewPolicy view = new ViewPolicy(200, 1.5, 0.1);
    private final PrintStream log;
    long popinAssetFrames;
    long popinFrames;
    long popinDepth;
    long missingAssetFrames;
    long peakGpu;
    long peakCpu;
    long overBudgetFrames;
    long warmupBytes;

    FlyThrough(SimWorld world, PrintStream log) {
        this.world = world;
        this.config = world.config;
        this.rt = new SimRuntime(world);
        this.log = log;
    }

    /** Called each frame before measuring: update references and the observer. */
    abstract void frame(Observer o, List<SimWorld.Model> inRadius);

    /** The LOD level usable now for a model, or -1. */
    abstract int residentLevel(SimWorld.Model m);

    abstract long gpuBytes();

    abstract long cpuBytes();

    /** Releases every reference the engine holds. */
    abstract void releaseAll();

    abstract SimResult result();

    final void run(String name) {
        long frameNanos = 1_000_000_000L / config.fps();
        long intervalPop = 0;
        long lastBytes = 0;
        int reportEvery = config.fps() * 10;
        Observer start = world.observerAt(0);
        start = new Observer(start.position(), start.forward(), Vec3.ZERO, start.fovRadians(), start.screenHeightPx());
        for (int w = 0; w < config.warmupFrames(); w++) {
            rt.runUntil(w * frameNanos);
            frame(start, world.near(start.position(), config.streamRadius()));
        }
        long origin = config.warmupFrames() * frameNanos;
        lastBytes = rt.bytesLoaded;
        warmupBytes = rt.bytesLoaded;
        for (int f = 0; f < config.frames(); f++) {
            long t = origin + f * frameNanos;
            rt.runUntil(t);
            Observer o = world.observerAt(f / (double) config.fps());
            frame(o, world.near(o.position(), config.streamRadius()));
            long pop = 0;
            for (SimWorld.Model m : world.near(o.position(), config.viewDistance())) {
                Bounds b = m.bounds();
                if (!view.inView(o, b)) {
                    continue;
                }
                int wanted = view.wantedLevel(o, b, SimWorld.LEVELS);
                int have = residentLevel(m);
                if (have < wanted) {
                    pop++;
                    popinDepth += wanted - have;
                    if (have < 0) {
                        missingAssetFrames++;
                    }
                }
            }
            popinAssetFrames += pop;
            intervalPop += pop;
            if (pop > 0) {
                popinFrames++;
            }
            long g = gpuBytes();
            long c = cpuBytes();
            peakGpu = Math.max(peakGpu, g);
            peakCpu = Math.max(peakCpu, c);
            if (g > config.gpuBudget() || c > config.cpuBudget()) {
                overBudgetFrames++;
            }
            if (log != null && (f + 1) % reportEvery == 0) {
                log.printf(
                        "  %-5s t=%5.1fs  pop-in %7d  gpu %6.1f/%.0f MB  cpu %5.1f/%.0f MB  loaded %7.1f MB%n",
                        name,
                        (f + 1) / (double) config.fps(),
                        intervalPop,
                        g / 1048576.0,
                        config.gpuBudget() / 1048576.0,
                        c / 1048576.0,
                        config.cpuBudget() / 1048576.0,
                        (rt.bytesLoaded - lastBytes) / 1048576.0);
                intervalPop = 0;
                lastBytes = rt.bytesLoaded;
            }
        }
        releaseAll();
        // Let whatever is still in flight land, so leaks and budgets are judged at rest.
        rt.runUntil(origin + config.frames() * frameNanos + 60_000_000_000L);
    }
}
