package dev.lode.client;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A token bucket that limits bytes per second. {@link #acquire(long)} blocks until the bytes may
 * pass. Rate 0 means unlimited. Time comes from a {@link Clock}, so tests run without sleeping.
 *
 * <p>Tokens accrue at {@code rate} per second up to {@code burst}; a request larger than the burst
 * is served in burst-sized pieces, so the long-run rate is exact whatever the read sizes. Thread-
 * safe: all downloads of one client can share one bucket (one budget for the whole link).
 */
public final class TokenBucket {
    /** Time source and sleeper; {@link #SYSTEM} uses {@link System#nanoTime()} and parks the thread. */
    public interface Clock {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;

        Clock SYSTEM = new Clock() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void sleepNanos(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            }
        };
    }

    private final ReentrantLock lock = new ReentrantLock(true);
    private final Clock clock;
    private volatile long rate;
    private long burst;
    private double tokens;
    private long last;

    /** A bucket of {@code bytesPerSecond} (0 = unlimited) with a burst of 1/20 s, at least 16 KiB. */
    public TokenBucket(long bytesPerSecond, Clock clock) {
        this.clock = clock;
        this.last = clock.nanoTime();
        setRate(bytesPerSecond);
        this.tokens = 0;
    }

    /** Changes the rate; takes effect for the next acquire. */
    public void setRate(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative: " + bytesPerSecond);
        }
        lock.lock();
        try {
            refill();
            this.rate = bytesPerSecond;
            this.burst = Math.max(16 * 1024, bytesPerSecond / 20);
            tokens = Math.min(tokens, burst);
        } finally {
            lock.unlock();
        }
    }

    /** The most bytes one acquire passes at once: the burst, or 0 when unlimited. */
    long burstBytes() {
        if (rate == 0) {
            return 0;
        }
        lock.lock();
        try {
            return rate == 0 ? 0 : burst;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes per second, 0 for unlimited. */
    public long rate() {
        return rate;
    }

    /** Blocks until {@code bytes} may pass. */
    public void acquire(long bytes) throws InterruptedException {
        if (bytes <= 0 || rate == 0) {
            return;
        }
        lock.lockInterruptibly();
        try {
            long left = bytes;
            while (left > 0) {
                if (rate == 0) {
                    return;
                }
                refill();
                long want = Math.min(left, burst);
                if (tokens >= want) {
                    tokens -= want;
                    left -= want;
                    continue;
                }
                double missing = want - tokens;
                long waitNanos = (long) Math.ceil(missing * 1e9 / rate);
                clock.sleepNanos(Math.max(waitNanos, 1));
            }
        } finally {
            lock.unlock();
        }
    }

    private void refill() {
        long now = clock.nanoTime();
        long elapsed = now - last;
        last = now;
        if (elapsed > 0 && rate > 0) {
            tokens = Math.min(burst, tokens + elapsed * (double) rate / 1e9);
        }
    }

    /** Parses rates like {@code 8MB/s}, {@code 500KB/s}, {@code 1.5M}, {@code 0} (unlimited). */
    public static long parseRate(String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        if (t.endsWith("/S")) {
            t = t.substring(0, t.length() - 2);
        }
        if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        double mul = 1;
        if (t.endsWith("K")) {
            mul = 1e3;
        } else if (t.endsWith("M")) {
            mul = 1e6;
        } else if (t.endsWith("G")) {
            mul = 1e9;
        }
        if (mul != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t);
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return (long) (v * mul);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad rate '" + text + "' (examples: 8MB/s, 500KB/s, 0 for unlimited)");
        }
    }
}
