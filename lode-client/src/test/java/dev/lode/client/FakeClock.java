package dev.lode.client;

/** A clock whose time moves only when something sleeps on it (or a test advances it). */
final class FakeClock implements TokenBucket.Clock {
    private long now = 1_000_000_000L;
    long slept;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleepNanos(long nanos) {
        now += nanos;
        slept += nanos;
    }

    synchronized void advance(long nanos) {
        now += nanos;
    }
}
