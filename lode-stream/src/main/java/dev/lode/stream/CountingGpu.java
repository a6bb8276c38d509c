package dev.lode.stream;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link GpuBackend} for tests and headless runs: it keeps nothing but counts uploads and bytes,
 * and throws {@link IllegalStateException} if the streamer ever uploads past the budget or frees
 * an upload twice, so a test fails at the moment an invariant breaks.
 */
public final class CountingGpu implements GpuBackend {
    private final long budget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Long> live = new HashSet<>();
    private long bytes;
    private long peak;
    private long uploads;
    private long frees;
    private long next = 1;

    /** A GPU with {@code budgetBytes} of memory. */
    public CountingGpu(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("negative GPU budget " + budgetBytes);
        }
        this.budget = budgetBytes;
    }

    @Override
    public long budgetBytes() {
        return budget;
    }

    @Override
    public GpuResource upload(CatalogEntry entry, Object value, long size) {
        lock.lock();
        try {
            if (bytes + size > budget) {
                throw new IllegalStateException("GPU upload of " + entry.path() + " (" + size
                        + " bytes) would exceed the budget: " + bytes + " of " + budget + " in use");
            }
            bytes += size;
            peak = Math.max(peak, bytes);
            uploads++;
            long h = next++;
            live.add(h);
            return new GpuResource(h, size, entry.path());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void free(GpuResource resource) {
        lock.lock();
        try {
            if (!live.remove(resource.handle())) {
                throw new IllegalStateException("GPU resource freed twice or never uploaded: " + resource);
            }
            bytes -= resource.bytes();
            frees++;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes currently uploaded. */
    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Highest {@link #bytes()} seen. */
    public long peakBytes() {
        lock.lock();
        try {
            return peak;
        } finally {
            lock.unlock();
        }
    }

    /** Uploads so far. */
    public long uploads() {
        lock.lock();
        try {
            return uploads;
        } finally {
            lock.unlock();
        }
    }

    /** Live uploads. */
    public int liveCount() {
        lock.lock();
        try {
            return live.size();
        } finally {
            lock.unlock();
        }
    }
}
