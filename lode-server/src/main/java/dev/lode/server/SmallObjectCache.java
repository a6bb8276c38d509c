package dev.lode.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lode.core.LocalObjectStore;
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

    /** The object's bytes if in memory (never reads). */
    byte[] getIfPresent(ObjectId id) {
        return cache.getIfPresent(id);
    }

    /**
     * Whether {@code reply}'s body is a small object of a remote store not yet in memory: such a
     * reply is built off the event loop, where {@link #warm} reads it in.
     */
    boolean needsWarming(Reply reply) {
        return reply instanceof Reply.Body b
                && b.representation().size() <= MAX_OBJECT
                && b.representation().source() instanceof Representation.Source.StoreObject o
                && !(o.store() instanceof LocalObjectStore)
                && cache.getIfPresent(o.id()) == null;
    }

    /**
     * Reads a small object of a remote store into memory ahead of its response, so that the event
     * loop finds it there; call it off the event loop. A failure is left for the response to meet.
     */
    void warm(Reply reply) {
        if (needsWarming(reply)
                && ((Reply.Body) reply).representation().source() instanceof Representation.Source.StoreObject o) {
            try {
                get(o.store(), o.id());
            } catch (RuntimeException e) {
                // streamed (and failed, if it still fails) by the response
            }
        }
    }

    /** The object's bytes: from memory, or read (and verified) from the store. */
    byte[] get(ObjectStore store, ObjectId id) {
        return cache.get(id, store::readAllBytes);
    }
}
