package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.core.ObjectStores;
import java.time.Clock;

/**
 * Lifecycle of stored data: removes tenant runs past their retention from the catalog, aborts
 * abandoned uploads, and deletes objects nothing references any more once they are older than a
 * grace period. {@code lode gc} runs it once; a server runs it on a schedule
 * ({@link LodeServer.Builder#gcEvery}).
 *
 * <p>What keeps an object: a logical asset, a tenant artifact, a precomputed encoding of a kept
 * object, the parts of an active upload, a pinned root ({@code lode ingest}), and every entry (and chunk map)
 * of a kept manifest. An object younger than the grace period is never deleted, referenced or
 * not: an upload in progress stores its object before the catalog records it, and a collection
 * running in between must not take it. An object whose store cannot tell its age is never
 * deleted either.
 */
public final class GarbageCollection {
    private GarbageCollection() {}

    /** Collects once; the caller keeps ownership of {@code stores} and {@code catalog}. */
    public static GcReport run(ObjectStores stores, Catalog catalog, GcOptions options) {
        return new GarbageCollector(stores, catalog, options, Clock.systemUTC()).run();
    }
}
