package dev.lode.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;

/**
 * Bytes of small objects kept in memory, so a hot small asset is answered with one write instead
 * of open + sendfile + close. Objects are immutable (named by their hash), so entries never go
 * stale, and one id has the same bytes in whichever store holds it; a miss reads the object once
 * and checks its hash. Bounded by total bytes.
 */
final class SmallObjectCache {
    /** Objects up to this size are cached. */
    static final long MAX_OBJECT = 64 * 1024;

    private final Cache<ObjectId, byte[]> cache;

    SmallObjectCache(long maxBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((ObjectId id, byte[] b) -> b.length)
                .build();
    }

    /** The object's bytes: from memory, or read (and verified) from the store. */
    byte[] get(ObjectStore store, ObjectId id) {
        return cache.get(id, store::readAllBytes);
    }
}
