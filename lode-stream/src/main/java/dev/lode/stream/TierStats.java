package dev.lode.stream;

/**
 * One memory tier at a moment.
 *
 * @param name {@code cpu}, {@code gpu} or {@code disk}
 * @param budget byte budget
 * @param bytes bytes held (including reservations for loads in flight)
 * @param count entries held
 * @param pinned entries held by a reference
 * @param hits requests served from this tier
 * @param misses requests that had to load into this tier
 * @param evictions entries evicted to make room
 */
public record TierStats(
        String name, long budget, long bytes, int count, int pinned, long hits, long misses, long evictions) {}
