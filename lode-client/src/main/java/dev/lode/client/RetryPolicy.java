package dev.lode.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded retries with exponential backoff and full jitter: attempt {@code n} (from 1) waits a
 * random time in {@code [0, min(max, base * 2^(n-1))]}.
 *
 * @param maxAttempts attempts in all, at least 1
 * @param base first backoff ceiling
 * @param max largest backoff ceiling
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration max) {
    /** Six attempts, 250 ms doubling to 10 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(10));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 <= base <= max, got " + base + ", " + max);
        }
    }

    /** The backoff before attempt {@code attempt + 1}, after {@code attempt} failures. */
    public Duration backoff(int attempt) {
        long ceiling = base.toMillis() << Math.min(attempt - 1, 20);
        ceiling = Math.min(Math.max(ceiling, 0), max.toMillis());
        return Duration.ofMillis(ceiling == 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
    }
}
