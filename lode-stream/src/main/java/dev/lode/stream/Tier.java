package dev.lode.stream;

import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * One memory tier: a byte budget, the entries it holds and the order in which unreferenced ones
 * are evicted. Not thread-safe: the streamer calls it under its lock. Recency and frequency use a
 * tier-local counter, not a clock, so eviction order is deterministic.
 *
 * @param <K> what an entry is (a node, an object id)
 */
final class Tier<K> {
    /** One held entry. Keys of the eviction order change only while the slot is out of the set. */
    static final class Slot<K> {
        final K key;
        final long bytes;
        final long seq;
        long lastUse;
        long uses;
        boolean pinned;

        Slot(K key, long bytes, long seq) {
            this.key = key;
            this.bytes = bytes;
            this.seq = seq;
        }
    }

    final String name;
    final long budget;
    final EvictionPolicy policy;
    private final TreeSet<Slot<K>> evictable;
    private long used;
    private long reserved;
    private long evictableBytes;
    private int count;
    private int pinnedCount;
    private long tick;
    long hits;
    long misses;
    long evictions;

    Tier(String name, long budget, EvictionPolicy policy) {
        if (budget < 0) {
            throw new IllegalArgumentException("negative " + name + " budget " + budget);
        }
        this.name = name;
        this.budget = budget;
        this.policy = policy;
        Comparator<Slot<K>> order = switch (policy) {
            case LRU -> Comparator.comparingLong((Slot<K> s) -> s.lastUse);
            case LFU -> Comparator.comparingLong((Slot<K> s) -> s.uses).thenComparingLong(s -> s.lastUse);
        };
        this.evictable = new TreeSet<>(order.thenComparingLong(s -> s.seq));
    }

    /** Bytes held plus reserved. */
    long bytes() {
        return used + reserved;
    }

    int count() {
        return count;
    }

    int pinnedCount() {
        return pinnedCount;
    }

    /** Whether {@code bytes} more could fit if every unreferenced entry were evicted. */
    boolean couldFit(long bytes) {
        return used + reserved - evictableBytes + bytes <= budget;
    }

    /**
     * Evicts unreferenced entries (policy order) until {@code bytes} more fit; returns false and
     * evicts nothing when that is impossible. Evicted keys are appended to {@code evicted}.
     */
    boolean makeRoom(long bytes, List<Slot<K>> evicted) {
        if (!couldFit(bytes)) {
            return false;
        }
        while (used + reserved + bytes > budget) {
            Slot<K> victim = evictable.pollFirst();
            evictableBytes -= victim.bytes;
            used -= victim.bytes;
            count--;
            evictions++;
            evicted.add(victim);
        }
        return true;
    }

    /** Makes room and reserves {@code bytes} for a load in flight. */
    boolean reserve(long bytes, List<Slot<K>> evicted) {
        if (!makeRoom(bytes, evicted)) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    void unreserve(long bytes) {
        reserved -= bytes;
        if (reserved < 0) {
            throw new IllegalStateException(name + " tier reservation went negative");
        }
    }

    /** Adds an entry; the caller made room first. */
    Slot<K> admit(K key, long bytes, boolean pinned) {
        if (used + reserved + bytes > budget) {
            throw new IllegalStateException(name + " tier admit of " + key + " (" + bytes + " bytes) without room: "
                    + bytes() + " of " + budget);
        }
        Slot<K> s = new Slot<>(key, bytes, ++tick);
        s.lastUse = tick;
        s.uses = 1;
        s.pinned = pinned;
        used += bytes;
        count++;
        if (pinned) {
            pinnedCount++;
        } else {
            evictable.add(s);
            evictableBytes += bytes;
        }
        return s;
    }

    /** Records a use (a hit). */
    void touch(Slot<K> s) {
        boolean in = !s.pinned && evictable.remove(s);
        s.lastUse = ++tick;
        s.uses++;
        if (in) {
            evictable.add(s);
        }
    }

    void setPinned(Slot<K> s, boolean pinned) {
        if (s.pinned == pinned) {
            return;
        }
        if (pinned) {
            evictable.remove(s);
            evictableBytes -= s.bytes;
            pinnedCount++;
        } else {
            s.lastUse = ++tick;
            evictable.add(s);
            evictableBytes += s.bytes;
            pinnedCount--;
        }
        s.pinned = pinned;
    }

    /** Removes an entry outright (not an eviction). */
    void remove(Slot<K> s) {
        if (s.pinned) {
            pinnedCount--;
        } else if (evictable.remove(s)) {
            evictableBytes -= s.bytes;
        }
        used -= s.bytes;
        count--;
    }

    TierStats stats() {
        return new TierStats(name, budget, bytes(), count, pinnedCount, hits, misses, evictions);
    }
}
