package dev.lode.bench.stream;

/**
 * Parameters of the fly-through simulation. Sizes are modelled bytes: what the asset would weigh
 * on the link and in memory; the objects the streamer actually reads are small tokens whose
 * catalog {@code memSize} carries the modelled memory size.
 *
 * @param seed world and path seed
 * @param models placed models, each with three LOD variants
 * @param materials shared materials (each model needs one)
 * @param textures shared textures (each material needs two)
 * @param warmupFrames frames of a loading screen before the flight: the observer waits at the start
 *     and nothing is counted, as a game loads its start area before play begins
 * @param frames frames simulated
 * @param fps frames per second
 * @param speed observer speed, units per second
 * @param bandwidth link bytes per second
 * @param latencyNanos per-request latency on the link
 * @param decodeBytesPerSecond decode speed of one core
 * @param decodeBaseNanos fixed decode cost per asset
 * @param cores decode cores for lode (the FIFO baseline has one worker)
 * @param gpuBudget GPU tier budget, bytes
 * @param cpuBudget CPU tier budget, bytes
 * @param streamRadius the engine holds handles on models within this distance
 * @param viewDistance models farther than this are not drawn
 * @param maxInFlight lode's concurrent reads
 */
public record SimConfig(
        long seed,
        int models,
        int materials,
        int textures,
        int warmupFrames,
        int frames,
        int fps,
        double speed,
        long bandwidth,
        long latencyNanos,
        long decodeBytesPerSecond,
        long decodeBaseNanos,
        int cores,
        long gpuBudget,
        long cpuBudget,
        double streamRadius,
        double viewDistance,
        int maxInFlight) {

    /** The benchmark world: 12,000 models (36,000 LOD variants) plus shared materials and textures. */
    public static SimConfig benchmark() {
        return new SimConfig(
                20261123L,
                12_000,
                120,
                300,
                600,
                2700,
                30,
                40,
                48L << 20,
                500_000,
                200L << 20,
                200_000,
                2,
                384L << 20,
                16L << 20,
                320,
                300,
                3);
    }

    /** A small world for the invariants test. */
    public static SimConfig small() {
        return new SimConfig(
                7L,
                600,
                12,
                30,
                150,
                300,
                30,
                40,
                24L << 20,
                500_000,
                200L << 20,
                200_000,
                2,
                64L << 20,
                1L << 20,
                200,
                180,
                3);
    }

    /** This configuration with another link bandwidth. */
    public SimConfig withBandwidth(long bytesPerSecond) {
        return new SimConfig(
                seed,
                models,
                materials,
                textures,
                warmupFrames,
                frames,
                fps,
                speed,
                bytesPerSecond,
                latencyNanos,
                decodeBytesPerSecond,
                decodeBaseNanos,
                cores,
                gpuBudget,
                cpuBudget,
                streamRadius,
                viewDistance,
                maxInFlight);
    }

    /** This configuration with another GPU budget. */
    public SimConfig withGpuBudget(long bytes) {
        return new SimConfig(
                seed,
                models,
                materials,
                textures,
                warmupFrames,
                frames,
                fps,
                speed,
                bandwidth,
                latencyNanos,
                decodeBytesPerSecond,
                decodeBaseNanos,
                cores,
                bytes,
                cpuBudget,
                streamRadius,
                viewDistance,
                maxInFlight);
    }
}
