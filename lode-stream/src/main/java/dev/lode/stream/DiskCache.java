package dev.lode.stream;

import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The on-disk tier: verified objects fetched from a remote source, kept in a local object store
 * under a byte budget. Bookkeeping is guarded by the streamer's lock; file writes and deletes run
 * outside it.
 */
final class DiskCache {
    final ObjectStore store;
    final Tier<ObjectId> tier;
    private final Map<ObjectId, Tier.Slot<ObjectId>> slots = new HashMap<>();
    private final AssetSource reader;

    DiskCache(ObjectStore store, long budget, EvictionPolicy policy, Executor io) {
        this.store = store;
        this.tier = new Tier<>("disk", budget, policy);
        this.reader = AssetSource.objectStore(store, io);
        List<ObjectId> existing = new ArrayList<>();
        store.forEach(existing::add);
        existing.sort(null);
        for (ObjectId id : existing) {
            long size = store.size(id).orElse(0);
            List<Tier.Slot<ObjectId>> ev = new ArrayList<>();
            if (tier.makeRoom(size, ev)) {
                slots.put(id, tier.admit(id, size, false));
            } else {
                store.delete(id);
            }
            for (Tier.Slot<ObjectId> s : ev) {
                slots.remove(s.key);
                store.delete(s.key);
            }
        }
    }

    /** Whether {@code id} is cached; counts a hit and refreshes it when it is. */
    boolean lookup(ObjectId id) {
        Tier.Slot<ObjectId> s = slots.get(id);
        if (s == null) {
            tier.misses++;
            return false;
        }
        tier.hits++;
        tier.touch(s);
        return true;
    }

    CompletableFuture<byte[]> read(CatalogEntry entry) {
        return reader.read(entry);
    }

    /** Writes verified bytes (outside the lock). */
    void write(byte[] bytes) {
        store.putBytes(bytes);
    }

    /** Accounts a written object; returns ids whose files must now be deleted (outside the lock). */
    List<ObjectId> admitted(ObjectId id, long size) {
        List<ObjectId> delete = new ArrayList<>();
        if (slots.containsKey(id)) {
            return delete;
        }
        List<Tier.Slot<ObjectId>> ev = new ArrayList<>();
        if (tier.makeRoom(size, ev)) {
            slots.put(id, tier.admit(id, size, false));
        } else {
            delete.add(id);
        }
        for (Tier.Slot<ObjectId> s : ev) {
            slots.remove(s.key);
            delete.add(s.key);
        }
        return delete;
    }
}
