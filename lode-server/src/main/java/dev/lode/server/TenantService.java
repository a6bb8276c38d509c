package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.UploadCatalog;
import dev.lode.catalog.UploadPart;
import dev.lode.catalog.UploadRecord;
import dev.lode.catalog.UploadState;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import dev.lode.core.Quietly;
import dev.lode.core.Sha256;
import dev.lode.core.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Tenant uploads: single streamed PUTs and resumable multipart uploads.
 *
 * <p>A multipart upload keeps its parts as files in {@code DATA/uploads/<uploadId>/part-<n>}, each
 * written to a temporary file while hashed and renamed into place when whole, so a dropped
 * connection leaves no partial part and a retried part simply replaces the old one. Completion
 * re-verifies every part's hash, streams the parts in order into the object store (one object per
 * content hash: identical bytes are stored once and the answer says so) and records the artifact
 * and the upload's end in one catalog transaction.
 */
final class TenantService {
    static final int MAX_PARTS = 10_000;

    private final LocalObjectStore store;
    private final Catalog catalog;
    private final Precompressor precompressor;
    private final AssetService assets;
    private final Path uploadsDir;
    private final String node;
    private final ConcurrentHashMap<String, CompletableFuture<UploadRecord>> finished = new ConcurrentHashMap<>();

    TenantService(
            LocalObjectStore store,
            Catalog catalog,
            Precompressor precompressor,
            AssetService assets,
            Path uploadsDir,
            String node) {
        this.store = store;
        this.catalog = catalog;
        this.precompressor = precompressor;
        this.assets = assets;
        this.uploadsDir = uploadsDir;
        this.node = node;
    }

    /** Stores a single streamed upload; the returned record says whether the bytes were new. */
    UploadRecord putSingle(TenantAssetKey key, boolean isPublic, InputStream body, String mediaType) {
        UploadRecord u = catalog.uploads().create(key, isPublic, node);
        try {
            StoredObject so = store.put(new FirstByteInputStream(body, () -> markUploading(u.uploadId())));
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
        Path dir = uploadsDir.resolve(uploadId);
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, "part-" + number + "-", ".tmp");
            MessageDigest md = Sha256.newDigest();
            long size;
            try (OutputStream out = Files.newOutputStream(temp);
                    DigestInputStream in = new DigestInputStream(body, md)) {
                size = in.transferTo(out);
            }
            String sha = ObjectId.ofDigest(md.digest()).hex();
            Files.move(
                    temp,
                    dir.resolve("part-" + number),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            UploadPart part = new UploadPart(number, sha, size);
            try {
                catalog.uploads().putPart(uploadId, part);
            } catch (UploadCatalog.UploadStateException e) {
                throw new UploadException(409, e.getMessage());
            }
            return part;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "part " + number + " of upload " + uploadId + " failed: " + e.getMessage(), e);
        } finally {
            Quietly.delete(temp);
        }
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
        Path dir = uploadsDir.resolve(uploadId);
        for (UploadPart p : parts) {
            Path f = dir.resolve("part-" + p.number());
            if (!Files.isRegularFile(f) || !Sha256.ofFile(f).hex().equals(p.sha256())) {
                throw new UploadException(
                        409,
                        "part " + p.number() + " of upload " + uploadId
                                + " is missing or damaged on disk; upload it again");
            }
        }
        StoredObject so;
        try (InputStream joined = joined(dir, parts)) {
            so = store.put(joined);
        } catch (IOException e) {
            throw new UncheckedIOException("joining parts of upload " + uploadId + ": " + e.getMessage(), e);
        }
        UploadRecord done = finish(r, so, mediaType);
        deleteTree(dir);
        return done;
    }

    UploadRecord abort(String tenant, String uploadId) {
        UploadRecord r = status(tenant, uploadId);
        if (!r.state().isActive()) {
            throw new UploadException(409, "upload " + uploadId + " is " + r.state());
        }
        UploadRecord ended = catalog.uploads().end(uploadId, UploadState.ABORTED, null);
        deleteTree(uploadsDir.resolve(uploadId));
        signal(ended);
        return ended;
    }

    Optional<TenantAsset> find(TenantAssetKey key) {
        return catalog.tenantAssets().find(key);
    }

    private UploadRecord finish(UploadRecord u, StoredObject so, String mediaType) {
        precompressor.precompute(so.id(), so.size(), mediaType);
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

    private static InputStream joined(Path dir, List<UploadPart> parts) throws IOException {
        List<InputStream> streams = new ArrayList<>();
        for (UploadPart p : parts) {
            streams.add(new LazyFileStream(dir.resolve("part-" + p.number())));
        }
        Iterator<InputStream> it = streams.iterator();
        return new SequenceInputStream(Collections.enumeration(streams)) {
            @Override
            public void close() throws IOException {
                super.close();
                while (it.hasNext()) {
                    it.next().close();
                }
            }
        };
    }

    /** Opens its file on first read, so joining 10,000 parts holds one descriptor at a time. */
    private static final class LazyFileStream extends InputStream {
        private final Path file;
        private InputStream in;

        LazyFileStream(Path file) {
            this.file = file;
        }

        private InputStream in() throws IOException {
            if (in == null) {
                in = Files.newInputStream(file);
            }
            return in;
        }

        @Override
        public int read() throws IOException {
            return in().read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in().read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Quietly.delete(p);
            }
        } catch (IOException e) {
            // best effort
        }
        Quietly.delete(dir);
    }
}
