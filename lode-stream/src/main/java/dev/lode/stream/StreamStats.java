package dev.lode.stream;

/**
 * A snapshot of the streamer.
 *
 * @param cpu the CPU tier
 * @param gpu the GPU tier (budget 0 when no GPU backend is set)
 * @param disk the disk cache tier (budget 0 when no disk cache is set)
 * @param queued entries waiting in the queue
 * @param inFlight entries being read or decoded
 * @param loaded entries loaded so far
 * @param failed entries failed so far
 * @param cancelled loads cancelled (queued or at a stage boundary)
 * @param bytesRead stored bytes read from the source and the disk cache
 * @param handles live handles
 * @param latencyP50Nanos median request-to-ready latency of recent loads
 * @param latencyP90Nanos 90th percentile
 * @param latencyP99Nanos 99th percentile
 */
public record StreamStats(
        TierStats cpu,
        TierStats gpu,
        TierStats disk,
        int queued,
        int inFlight,
        long loaded,
        long failed,
        long cancelled,
        long bytesRead,
        int handles,
        long latencyP50Nanos,
        long latencyP90Nanos,
        long latencyP99Nanos) {}
