package dev.lode.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pauses downloads while the game's realtime link is laggy (seed 000, AT-5): when a ping sample is
 * over the threshold (default 250 ms) or low-bandwidth mode is on, the gate closes; it opens again
 * once low-bandwidth mode is off and no sample has been over the threshold for the idle time
 * (default 2 s). Downloads call {@link #awaitOpen()} between reads.
 *
 * <p>Samples come from the game ({@link #onPing(Duration)}) or from a {@link LatencySource} such as
 * the UDP channel. Time comes from a {@link TokenBucket.Clock} so tests run without sleeping.
 */
public final class LagGate {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TokenBucket.Clock clock;
    private final long thresholdNanos;
    private final long idleNanos;

    private boolean lowBandwidth;
    private boolean lagging;
    /** False only while the gate is surely open: lets {@link #isPaused()} skip the lock per read. */
    private volatile boolean mayBeClosed;

    private long lastHighSample;
    private long lastSampleNanos = -1;

    public LagGate(Duration threshold, Duration idleTime, TokenBucket.Clock clock) {
        if (threshold.isNegative() || threshold.isZero()) {
            throw new IllegalArgumentException("ping threshold must be positive: " + threshold);
        }
        if (idleTime.isNegative()) {
            throw new IllegalArgumentException("idle time must not be negative: " + idleTime);
        }
        this.thresholdNanos = threshold.toNanos();
        this.idleNanos = idleTime.toNanos();
        this.clock = clock;
    }

    /** A latency sample from the realtime channel. */
    public void onPing(Duration rtt) {
        lock.lock();
        try {
            lastSampleNanos = rtt.toNanos();
            if (rtt.toNanos() > thresholdNanos) {
                lagging = true;
                mayBeClosed = true;
                lastHighSample = clock.nanoTime();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Turns the game's low-bandwidth mode on or off. */
    public void setLowBandwidth(boolean on) {
        lock.lock();
        try {
            lowBandwidth = on;
            if (on) {
                mayBeClosed = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether downloads are paused now, and why ({@code null} when open). */
    public String pauseReason() {
        lock.lock();
        try {
            updateLagging();
            if (lowBandwidth) {
                return "low-bandwidth mode";
            }
            if (lagging) {
                return "ping over " + TimeUnit.NANOSECONDS.toMillis(thresholdNanos) + " ms";
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether downloads are paused now. Cheap when the gate is open (one volatile read). */
    public boolean isPaused() {
        return mayBeClosed && pauseReason() != null;
    }

    /** The last ping sample, or null if none came yet. */
    public Duration lastPing() {
        lock.lock();
        try {
            return lastSampleNanos < 0 ? null : Duration.ofNanos(lastSampleNanos);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks while the gate is closed. {@code onPause} is called once (with the reason) if this
     * call had to wait.
     */
    public void awaitOpen(java.util.function.Consumer<String> onPause) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            boolean told = false;
            while (true) {
                updateLagging();
                if (!lowBandwidth && !lagging) {
                    return;
                }
                if (!told) {
                    told = true;
                    onPause.accept(
                            lowBandwidth ? "low-bandwidth mode" : "ping over " + (thresholdNanos / 1_000_000) + " ms");
                }
                if (lagging && !lowBandwidth) {
                    long left = idleNanos - (clock.nanoTime() - lastHighSample);
                    changed.awaitNanos(Math.max(left, 1_000_000));
                } else {
                    changed.await(100, TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #awaitOpen(java.util.function.Consumer)} without a pause callback. */
    public void awaitOpen() throws InterruptedException {
        awaitOpen(reason -> {});
    }

    private void updateLagging() {
        if (lagging && clock.nanoTime() - lastHighSample >= idleNanos) {
            lagging = false;
        }
        if (!lagging && !lowBandwidth) {
            mayBeClosed = false;
        }
    }
}
