package dev.lode.stream;

import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.ObjectStore;
import dev.lode.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Reads whole objects from an {@link ObjectStore} without re-hashing (the pipeline verifies). */
final class ObjectStoreSource implements AssetSource {
    private final ObjectStore store;
    private final Executor executor;

    ObjectStoreSource(ObjectStore store, Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<byte[]> read(CatalogEntry entry) {
        return CompletableFuture.supplyAsync(() -> readNow(store, entry), executor);
    }

    static byte[] readNow(ObjectStore store, CatalogEntry entry) {
        if (!store.contains(entry.id())) {
            throw new ObjectNotFoundException(entry.id());
        }
        try (SeekableByteChannel ch = store.open(entry.id())) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new StoreException(
                        "object " + entry.id() + " of " + entry.path() + " is too large to load: " + size, null);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // keep reading
            }
            if (buf.hasRemaining()) {
                throw new StoreException("short read of object " + entry.id() + " for " + entry.path(), null);
            }
            return buf.array();
        } catch (IOException e) {
            throw new StoreException(
                    "cannot read object " + entry.id() + " for " + entry.path() + ": " + e.getMessage(), e);
        }
    }
}
