package dev.lode.bench.stream;

/**
 * What one run of the fly-through measured.
 *
 * @param name loader name
 * @param frames frames simulated
 * @param popinAssetFrames sum over frames of visible assets below their wanted LOD
 * @param popinFrames frames with at least one such asset
 * @param popinDepth sum over frames of levels missing (nothing loaded counts as one below coarsest)
 * @param missingAssetFrames sum over frames of visible assets with nothing at all to draw
 * @param bytesLoaded modelled bytes moved over the link
 * @param reads reads issued
 * @param peakGpu highest GPU bytes
 * @param peakCpu highest CPU bytes
 * @param overBudgetFrames frames where a tier was over its budget
 * @param leaks handles (or FIFO references) still held after the engine released everything
 * @param cancelled loads cancelled (lode only)
 * @param downgrades LOD downgrade events (lode only)
 * @param latencyP50Ms median queue-to-ready latency (lode only)
 * @param latencyP99Ms 99th percentile (lode only)
 */
record SimResult(
        String name,
        int frames,
        long popinAssetFrames,
        long popinFrames,
        long popinDepth,
        long missingAssetFrames,
        long bytesLoaded,
        long reads,
        long peakGpu,
        long peakCpu,
        long overBudgetFrames,
        long leaks,
        long cancelled,
        long downgrades,
        double latencyP50Ms,
        double latencyP99Ms) {}
