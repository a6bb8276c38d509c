package dev.lode.client;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of direct buffers of one size shared by a client's downloads. Allocating (and zeroing) a
 * direct buffer is costly next to a small download, so buffers are kept for the next download, up
 * to {@code keep} of them; more are allocated when needed and dropped when returned.
 */
final class DirectBuffers {
    private final int size;
    private final int keep;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger kept = new AtomicInteger();

    DirectBuffers(int size, int keep) {
        this.size = size;
        this.keep = keep;
    }

    /** A cleared buffer of {@link #size()} bytes. */
    ByteBuffer take() {
        ByteBuffer b = free.poll();
        if (b == null) {
            return ByteBuffer.allocateDirect(size);
        }
        kept.decrementAndGet();
        return b.clear();
    }

    void give(ByteBuffer b) {
        if (b.capacity() == size && b.isDirect() && kept.incrementAndGet() <= keep) {
            free.add(b);
        } else if (b.capacity() == size && b.isDirect()) {
            kept.decrementAndGet();
        }
    }

    int size() {
        return size;
    }
}
