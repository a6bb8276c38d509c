package dev.lode.stream;

import dev.lode.core.ObjectStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Where the pipeline reads an asset's stored bytes: a local object store, a pack file, or (a later
 * module) a lode server over HTTP. The future completes with the object's stored (possibly
 * compressed) bytes, unverified: the pipeline checks the hash itself. It completes exceptionally
 * with {@link dev.lode.core.ObjectNotFoundException} when the object is missing and with a {@link
 * dev.lode.core.StoreException} on I/O errors.
 */
public interface AssetSource {
    /** Starts reading {@code entry}'s object. */
    CompletableFuture<byte[]> read(CatalogEntry entry);

    /** Whether reads are already local (a disk cache in front of a local source would only copy). */
    default boolean local() {
        return true;
    }

    /** Reads from a {@link dev.lode.core.LocalObjectStore} or any other store, on {@code ioExecutor}. */
    static AssetSource objectStore(ObjectStore store, Executor ioExecutor) {
        return new ObjectStoreSource(store, ioExecutor);
    }

    /** Reads objects out of a {@link PackFile}, on {@code ioExecutor}. */
    static AssetSource pack(PackFile pack, Executor ioExecutor) {
        return new PackSource(pack, ioExecutor);
    }
}
