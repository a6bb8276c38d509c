package dev.lode.stream;

import java.util.Arrays;

/** The last few thousand load latencies, for percentiles. Guarded by the streamer's lock. */
final class LatencyRecorder {
    private final long[] ring = new long[4096];
    private int size;
    private int next;

    void record(long nanos) {
        ring[next] = nanos;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    long percentile(double p) {
        if (size == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(ring, size);
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p * size) - 1;
        return sorted[Math.max(0, Math.min(size - 1, idx))];
    }
}
