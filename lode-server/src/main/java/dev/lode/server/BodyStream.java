package dev.lode.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as an {@link InputStream}: the event loop {@link #offer offers} Netty buffers, a
 * worker (virtual) thread reads them, e.g. straight into {@code ObjectStore.put}. Memory stays
 * bounded: above {@link #HIGH_WATER} queued bytes the channel stops reading from the socket, and it
 * resumes once the reader has drained below {@link #LOW_WATER} (TCP flow control does the rest).
 */
final class BodyStream extends InputStream {
    static final int HIGH_WATER = 4 << 20;
    static final int LOW_WATER = 1 << 20;

    private final Channel channel;
    private final long readTimeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private long queued;
    private long received;
    private boolean ended;
    private boolean closed;
    private boolean paused;
    private IOException failure;

    BodyStream(Channel channel, long readTimeoutMillis) {
        this.channel = channel;
        this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
    }

    /** Event loop: queues a chunk (takes over one reference). */
    void offer(ByteBuf buf) {
        lock.lock();
        try {
            if (closed || failure != null) {
                buf.release();
                return;
            }
            if (buf.isReadable()) {
                queue.add(buf);
                queued += buf.readableBytes();
                received += buf.readableBytes();
            } else {
                buf.release();
            }
            if (queued > HIGH_WATER && !paused) {
                paused = true;
                channel.config().setAutoRead(false);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop: the last chunk has been offered. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Event loop: the body will never complete (connection closed, decoding failed). */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes received so far. */
    long received() {
        lock.lock();
        try {
            return received;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        lock.lock();
        try {
            long deadline = System.nanoTime() + readTimeoutNanos;
            while (queue.isEmpty()) {
                if (failure != null) {
                    throw failure;
                }
                if (ended || closed) {
                    return -1;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("request body stalled: no bytes for "
                            + TimeUnit.NANOSECONDS.toSeconds(readTimeoutNanos) + " s");
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted reading request body", e);
                }
            }
            ByteBuf head = queue.peek();
            int n = Math.min(len, head.readableBytes());
            head.readBytes(b, off, n);
            queued -= n;
            if (!head.isReadable()) {
                queue.poll().release();
            }
            if (paused && queued < LOW_WATER) {
                paused = false;
                channel.eventLoop().execute(() -> {
                    channel.config().setAutoRead(true);
                    channel.read();
                });
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            ByteBuf b;
            while ((b = queue.poll()) != null) {
                b.release();
            }
            queued = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
