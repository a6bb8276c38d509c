package dev.lode.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.lode.catalog.AssetCatalog;
import dev.lode.catalog.AssetRecord;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.EncodedVariant;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.core.StoredObject;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Logical assets: the catalog's {@code assets} table over the object store, with an in-memory
 * cache of records (invalidated by this process's writes) so a hot {@code GET} touches neither
 * SQLite nor the disk metadata, auto-staging of missing ids, and precomputed encodings.
 */
final class AssetService {
    /** Asset ids: one URL segment of letters, digits, {@code . _ -}, not starting with a dot. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}");

    private final ObjectStores stores;
    private final Catalog catalog;
    private final Precompressor precompressor;
    private final Stager stager;
    private final Cache<String, AssetRecord> records;
    private final Cache<ObjectId, List<EncodedVariant>> encodings;
    private final Cache<ObjectId, ObjectStore> publicObjects;

    AssetService(ObjectStores stores, Catalog catalog, Precompressor precompressor, Stager stager, Duration cacheTtl) {
        this.stores = stores;
        this.catalog = catalog;
        this.precompressor = precompressor;
        this.stager = stager;
        this.records = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(cacheTtl)
                .build();
        this.encodings = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(cacheTtl)
                .build();
        this.publicObjects = Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(cacheTtl)
                .build();
    }

    /** The store of the server's own assets. */
    ObjectStore store() {
        return stores.shared();
    }

    boolean stagingEnabled() {
        return stager != null;
    }

    /** The record if this process has it in memory (no I/O). */
    Optional<AssetRecord> cached(String id) {
        return Optional.ofNullable(records.getIfPresent(id));
    }

    /** The store of {@code id} if it is known, without I/O, to be the object of something public. */
    Optional<ObjectStore> knownPublic(ObjectId id) {
        return Optional.ofNullable(publicObjects.getIfPresent(id));
    }

    Optional<AssetRecord> find(String id) {
        AssetRecord r = records.getIfPresent(id);
        if (r != null) {
            return Optional.of(r);
        }
        Optional<AssetRecord> found = catalog.assets().find(id);
        found.ifPresent(a -> records.put(id, a));
        return found;
    }

    /** Fetches a missing asset from the staging source (single-flight). */
    CompletableFuture<AssetRecord> stage(String id) {
        return stager.stage(id, (sid, body, type) -> {
            Optional<AssetRecord> raced = catalog.assets().find(sid);
            if (raced.isPresent()) {
                return raced.get(); // stored by a PUT while we fetched
            }
            return put(sid, body, type);
        });
    }

    /** Stores (or replaces) asset {@code id} with the bytes of {@code body}. */
    AssetRecord put(String id, InputStream body, String mediaType) {
        ObjectStore store = stores.shared();
        StoredObject so = store.put(body);
        encodings.put(so.id(), List.copyOf(precompressor.precompute(store, so.id(), so.size(), mediaType)));
        AssetRecord r = catalog.assets().put(id, so.id(), so.size(), mediaType);
        records.put(id, r);
        publicObjects.invalidate(so.id());
        return r;
    }

    /** Removes asset {@code id} from the catalog (the object stays: other names may share it). */
    Optional<AssetRecord> delete(String id) {
        Optional<AssetRecord> old = catalog.assets().delete(id);
        records.invalidate(id);
        old.ifPresent(a -> publicObjects.invalidate(a.objectId()));
        return old;
    }

    List<EncodedVariant> encodingsOf(ObjectId id) {
        return encodings.get(id, k -> List.copyOf(catalog.assets().encodings(k)));
    }

    /** The store holding {@code id} if it is the object (or an encoding) of a public asset. */
    Optional<ObjectStore> publicObject(ObjectId id) {
        ObjectStore known = publicObjects.getIfPresent(id);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<ObjectStore> found = catalog.assets()
                .publicObjectOwner(id)
                .map(owner -> owner.equals(AssetCatalog.SERVER_OWNER) ? stores.shared() : stores.tenant(owner));
        // cache only positives: a later upload may make one public
        found.ifPresent(s -> publicObjects.put(id, s));
        return found;
    }

    void forgetPublic(ObjectId id) {
        publicObjects.invalidate(id);
    }
}
