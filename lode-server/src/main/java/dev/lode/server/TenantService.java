package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.UploadCatalog;
import dev.lode.catalog.UploadPart;
import dev.lode.catalog.UploadRecord;
import dev.lode.catalog.UploadState;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.core.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tenant uploads: single streamed PUTs and resumable multipart uploads.
 *
 * <p>A multipart upload keeps each part as an object of the tenant's store (named by its SHA-256,
 * recorded in the catalog), so servers sharing a bucket and a catalog can each take parts of one
 * upload; a dropped connection stores nothing and a retried part replaces the catalog's entry.
 * Completion streams the parts in order, checking each one's hash on the way, into the store (one
 * object per content hash: identical bytes are stored once and the answer says so) and records the
 * artifact and the upload's end in one catalog transaction. Parts no longer needed are left to
 * {@code lode gc}.
 */
final class TenantService {
    static final int MAX_PARTS = 10_000;

    private final ObjectStores stores;
    private final Catalog catalog;
    private final Precompressor precompressor;
    private final AssetService assets;
    private final String node;
    private final ConcurrentHashMap<String, CompletableFuture<UploadRecord>> finished = new ConcurrentHashMap<>();

    TenantService(ObjectStores stores, Catalog catalog, Precompressor precompressor, AssetService assets, String node) {
        this.stores = stores;
        this.catalog = catalog;
        this.precompressor = precompressor;
        this.assets = assets;
        this.node = node;
    }

    /** Stores a single streamed upload; the returned record says whether the bytes were new. */
    UploadRecord putSingle(TenantAssetKey key, boolean isPublic, InputStream body, String mediaType) {
        UploadRecord u = catalog.uploads().create(key, isPublic, node);
        try {
            StoredObject so =
                    stores.tenant(key.tenant()).put(new FirstByteInputStream(body, () -> markUploading(u.uploadId())));
            return finish(u, so, mediaType);
        } catch (RuntimeException e) {
            fail(u.uploadId(), e);
            throw e;
        }
    }

    private void markUploading(String uploadId) {
        try {
            catalog.uploads().markUploading(uploadId);
        } catch (UploadCatalog.UploadStateException e) {
            throw new UploadException(409, e.getMessage()); // aborted while its body was arriving
        }
    }

    UploadRecord start(TenantAssetKey key, boolean isPublic) {
        return catalog.uploads().create(key, isPublic);
    }

    UploadRecord status(String tenant, String uploadId) {
        UploadRecord r = catalog.uploads()
                .find(uploadId)
                .filter(x -> x.key().tenant().equals(tenant))
                .orElseThrow(() -> new UploadException(404, "no upload " + uploadId + " for tenant " + tenant));
        return r;
    }

    /** Waits up to {@code wait} for the upload to reach a final state; returns its state then. */
    UploadRecord await(String tenant, String uploadId, Duration wait) {
        UploadRecord r = status(tenant, uploadId);
        if (r.state().isFinal() || wait.isZero()) {
            return r;
        }
        CompletableFuture<UploadRecord> f = finished.computeIfAbsent(uploadId, k -> new CompletableFuture<>());
        r = status(tenant, uploadId); // re-check: it may have finished before we registered
        if (r.state().isFinal()) {
            return r;
        }
        try {
            return f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return status(tenant, uploadId);
        } catch (ExecutionException e) {
            return status(tenant, uploadId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return status(tenant, uploadId);
        }
    }

    /** Receives part {@code number} (1-based, any order, retries replace). */
    UploadPart putPart(String tenant, String uploadId, int number, InputStream body) {
        if (number < 1 || number > MAX_PARTS) {
            throw new UploadException(400, "part number must be 1.." + MAX_PARTS + ", got " + number);
        }
        UploadRecord r = status(tenant, uploadId);
        if (!r.state().isActive()) {
            throw new UploadException(409, "upload " + uploadId + " is " + r.state());
        }
        // The part is an object of the tenant's store (named by its hash), so any server sharing
        // the store can take the next part or complete the upload. A dropped connection stores
        // nothing; sending the part again replaces the catalog's entry.
        StoredObject so = stores.tenant(tenant).put(body);
        UploadPart part = new UploadPart(number, so.id().hex(), so.size());
        try {
            catalog.uploads().putPart(uploadId, part);
        } catch (UploadCatalog.UploadStateException e) {
            throw new UploadException(409, e.getMessage());
        }
        return part;
    }

    /** Joins the parts in order into one object and records the artifact. */
    UploadRecord complete(String tenant, String uploadId, String mediaType) {
        UploadRecord r = status(tenant, uploadId);
        if (!r.state().isActive()) {
            throw new UploadException(409, "upload " + uploadId + " is " + r.state());
        }
        List<UploadPart> parts = catalog.uploads().parts(uploadId);
        if (parts.isEmpty()) {
            throw new UploadException(400, "upload " + uploadId + " has no parts");
        }
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).number() != i + 1) {
                throw new UploadException(400, "upload " + uploadId + " is missing part " + (i + 1));
            }
        }
        ObjectStore store = stores.tenant(tenant);
        for (UploadPart p : parts) {
            OptionalLong size = store.size(ObjectId.parse(p.sha256()));
            if (size.isEmpty() || size.getAsLong() != p.size()) {
                throw new UploadException(
                        409,
                        "part " + p.number() + " of upload " + uploadId
                                + " is missing from the store; upload it again");
            }
        }
        StoredObject so;
        try (InputStream joined = new PartsInputStream(store, parts)) {
            so = store.put(joined);
        } catch (CorruptObjectException e) {
            throw new UploadException(409, "upload " + uploadId + ": " + e.getMessage() + "; upload that part again");
        } catch (IOException e) {
            throw new UncheckedIOException("joining parts of upload " + uploadId + ": " + e.getMessage(), e);
        }
        return finish(r, so, mediaType);
    }

    UploadRecord abort(String tenant, String uploadId) {
        UploadRecord r = status(tenant, uploadId);
        if (!r.state().isActive()) {
            throw new UploadException(409, "upload " + uploadId + " is " + r.state());
        }
        // The parts' objects stay until gc finds nothing refers to them (another upload may share one).
        UploadRecord ended = catalog.uploads().end(uploadId, UploadState.ABORTED, null);
        signal(ended);
        return ended;
    }

    Optional<TenantAsset> find(TenantAssetKey key) {
        return catalog.tenantAssets().find(key);
    }

    private UploadRecord finish(UploadRecord u, StoredObject so, String mediaType) {
        precompressor.precompute(stores.tenant(u.key().tenant()), so.id(), so.size(), mediaType);
        TenantAsset asset = new TenantAsset(u.key(), so.id(), so.size(), mediaType, u.isPublic(), Instant.now());
        UploadRecord done = catalog.uploads().complete(u.uploadId(), asset, !so.created());
        assets.forgetPublic(so.id());
        signal(done);
        return done;
    }

    private void fail(String uploadId, RuntimeException cause) {
        try {
            signal(catalog.uploads().end(uploadId, UploadState.FAILED, String.valueOf(cause.getMessage())));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private void signal(UploadRecord r) {
        CompletableFuture<UploadRecord> f = finished.remove(r.uploadId());
        if (f != null) {
            f.complete(r);
        }
    }
}
