package dev.lode.server;

import dev.lode.core.ByteRange;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.StoreStats;
import dev.lode.core.StoredObject;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A real local store behind the bare {@link ObjectStore} interface: it does not look like a local
 * store to the server (no {@code sendfile}), and the interface's default methods (no object ages)
 * stay as they are. Tests override what they want to change.
 */
class ForwardingStore implements ObjectStore {
    final LocalObjectStore local;

    ForwardingStore(LocalObjectStore local) {
        this.local = local;
    }

    @Override
    public StoredObject put(InputStream in) {
        return local.put(in);
    }

    @Override
    public StoredObject putFile(Path file) {
        return local.putFile(file);
    }

    @Override
    public StoredObject putBytes(byte[] bytes) {
        return local.putBytes(bytes);
    }

    @Override
    public StoredObject putVerified(InputStream in, ObjectId expected) {
        return local.putVerified(in, expected);
    }

    @Override
    public boolean contains(ObjectId id) {
        return local.contains(id);
    }

    @Override
    public OptionalLong size(ObjectId id) {
        return local.size(id);
    }

    @Override
    public SeekableByteChannel open(ObjectId id) {
        return local.open(id);
    }

    @Override
    public InputStream openRange(ObjectId id, ByteRange range) {
        return local.openRange(id, range);
    }

    @Override
    public byte[] readAllBytes(ObjectId id) {
        return local.readAllBytes(id);
    }

    @Override
    public void verify(ObjectId id) {
        local.verify(id);
    }

    @Override
    public boolean delete(ObjectId id) {
        return local.delete(id);
    }

    @Override
    public void forEach(Consumer<ObjectId> action) {
        local.forEach(action);
    }

    @Override
    public StoreStats stats() {
        return local.stats();
    }

    @Override
    public void close() {
        local.close();
    }
}
