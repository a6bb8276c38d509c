package dev.lode.bench.stream;

import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code bench/run stream-sim}: the fly-through with lode's streamer and with the FIFO baseline,
 * same world, path, link, decode model and budgets. Prints both runs and a RESULT line.
 */
public final class StreamSim {
    private StreamSim() {}

    /** Runs both loaders on {@code config}; progress lines go to {@code log} (may be null). */
    static SimResult[] run(SimConfig config, PrintStream log) {
        SimWorld world = new SimWorld(config);
        LodeFlyThrough lode = new LodeFlyThrough(world, log);
        lode.run("lode");
        SimResult l = lode.result();
        lode.streamer.close();
        if (lode.dependencyViolations > 0) {
            throw new IllegalStateException(lode.dependencyViolations + " assets became ready before a dependency");
        }
        FifoFlyThrough fifo = new FifoFlyThrough(world, log);
        fifo.run("fifo");
        return new SimResult[] {l, fifo.result()};
    }

    public static void main(String[] args) {
        Locale.setDefault(Locale.ROOT);
        SimConfig c = SimConfig.benchmark();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--small" -> c = SimConfig.small();
                case "--bandwidth-mb" -> c = c.withBandwidth(Long.parseLong(args[++i]) << 20);
                case "--gpu-mb" -> c = c.withGpuBudget(Long.parseLong(args[++i]) << 20);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "' (--small, --bandwidth-mb N, --gpu-mb N)");
            }
        }
        PrintStream out = System.out;
        out.printf(
                "world: %d models x %d LODs, %d materials, %d textures (%d catalog entries), seed %d%n",
                c.models(),
                SimWorld.LEVELS,
                c.materials(),
                c.textures(),
                c.models() * (SimWorld.LEVELS + 1) + c.materials() + c.textures(),
                c.seed());
        out.printf(
                "path: %d frames at %d fps, %.0f units/s; link %.0f MB/s + %.1f ms/request; decode %.0f MB/s/core"
                        + " + %.1f ms; lode cores %d, fifo 1 worker%n",
                c.frames(),
                c.fps(),
                c.speed(),
                c.bandwidth() / 1048576.0,
                c.latencyNanos() / 1e6,
                c.decodeBytesPerSecond() / 1048576.0,
                c.decodeBaseNanos() / 1e6,
                c.cores());
        out.printf(
                "budgets: gpu %d MB, cpu %d MB; stream radius %.0f, view distance %.0f%n%n",
                c.gpuBudget() >> 20, c.cpuBudget() >> 20, c.streamRadius(), c.viewDistance());
        long t0 = System.nanoTime();
        SimResult[] r = run(c, out);
        long wall = (System.nanoTime() - t0) / 1_000_000;
        SimResult l = r[0];
        SimResult f = r[1];
        out.println();
        out.printf("%-34s %14s %14s%n", "", "lode", "fifo");
        row(out, "pop-in (visible asset-frames)", l.popinAssetFrames(), f.popinAssetFrames());
        row(out, "frames with any pop-in", l.popinFrames(), f.popinFrames());
        row(out, "pop-in depth (levels missing)", l.popinDepth(), f.popinDepth());
        row(out, "nothing drawn (asset-frames)", l.missingAssetFrames(), f.missingAssetFrames());
        row(out, "reads", l.reads(), f.reads());
        out.printf(
                "%-34s %14.1f %14.1f%n",
                "MB loaded in flight", l.bytesLoaded() / 1048576.0, f.bytesLoaded() / 1048576.0);
        out.printf(
                "%-34s %14.1f %14.1f%n",
                "peak gpu MB (budget " + (c.gpuBudget() >> 20) + ")", l.peakGpu() / 1048576.0, f.peakGpu() / 1048576.0);
        out.printf(
                "%-34s %14.1f %14.1f%n",
                "peak cpu MB (budget " + (c.cpuBudget() >> 20) + ")", l.peakCpu() / 1048576.0, f.peakCpu() / 1048576.0);
        row(out, "frames over budget", l.overBudgetFrames(), f.overBudgetFrames());
        row(out, "leaked handles/references", l.leaks(), f.leaks());
        row(out, "loads cancelled", l.cancelled(), 0);
        row(out, "LOD downgrade events", l.downgrades(), 0);
        out.printf("%-34s %14.1f %14s%n", "load latency p50 ms", l.latencyP50Ms(), "-");
        out.printf("%-34s %14.1f %14s%n", "load latency p99 ms", l.latencyP99Ms(), "-");
        out.printf("(simulated %.0f s of flight per loader in %d ms wall)%n", c.frames() / (double) c.fps(), wall);
        double ratio = l.popinAssetFrames() == 0
                ? Double.POSITIVE_INFINITY
                : f.popinAssetFrames() / (double) l.popinAssetFrames();
        out.printf(
                "RESULT popin_lode=%d popin_fifo=%d ratio=%.2f over_budget=%d leaks=%d%n",
                l.popinAssetFrames(), f.popinAssetFrames(), ratio, l.overBudgetFrames(), l.leaks());
    }

    private static void row(PrintStream out, String name, long a, long b) {
        out.printf("%-34s %14d %14d%n", name, a, b);
    }
}
