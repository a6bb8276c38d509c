package dev.lode.s3;

import dev.lode.core.ByteRange;
import dev.lode.core.ChunkMap;
import dev.lode.core.ChunkRef;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.DirectUrls;
import dev.lode.core.MediaType;
import dev.lode.core.MediaTypes;
import dev.lode.core.ObjectDigester;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.Quietly;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import dev.lode.core.StoreStats;
import dev.lode.core.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One tenant's objects in an S3 bucket, under {@code [PREFIX/]TENANT/objects/SHA256}.
 *
 * <p><b>Put.</b> The content is read once to compute its SHA-256 (the key), chunk map and part
 * hashes, spooled to a local file past the multipart threshold so memory stays bounded. If the key
 * already exists (a {@code HEAD}) nothing is transferred and the result says {@code created ==
 * false}: bytes are stored once per tenant. Otherwise a single {@code PUT} below the threshold, a
 * multipart upload above it (see {@link MultipartUploader}), both carrying {@code
 * x-amz-checksum-sha256}, the object's {@code Content-Type} and {@code Cache-Control: public,
 * max-age=31536000, immutable}. S3 makes a finished put visible atomically, so readers never see
 * half an object. Objects with more than one chunk also get their chunk map stored as an object.
 *
 * <p><b>Read.</b> Ranged {@code GET}s, streamed; whole reads ({@link #readAllBytes}, {@link
 * #verify}) check the SHA-256.
 *
 * <p><b>Presign.</b> {@link #presignGet(ObjectId, Duration)} signs a SigV4 GET URL for a key of this
 * tenant only; changing anything in it (key, tenant, expiry) breaks the signature.
 *
 * <p>Thread-safe. Deduplication is by tenant: two tenants uploading the same bytes store them twice,
 * because sharing would let one tenant learn (by timing or by {@code created}) what another holds.
 */
public final class S3ObjectStore implements TypedObjectStore, DirectUrls {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(S3ObjectStore.class);

    /** Content-addressed keys never change content, so every cache may keep them forever. */
    public static final String CACHE_CONTROL = "public, max-age=31536000, immutable";

    /**
     * A held object older than this is refreshed before a put relies on it (see {@link
     * #refreshIfOld}); well below any sensible gc grace period.
     */
    static final Duration REFRESH_AFTER = Duration.ofMinutes(10);

    /** The longest presigned URL lifetime SigV4 allows. */
    public static final Duration MAX_PRESIGN = Duration.ofDays(7);

    /** The presigned URL lifetime when none is given. */
    public static final Duration DEFAULT_PRESIGN = Duration.ofHours(1);

    /** User metadata naming the object's chunk map ({@code x-amz-meta-lode-chunk-map}). */
    static final String CHUNK_MAP_META = "lode-chunk-map";

    private static final String NO_CHUNK_MAP = "none";

    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final S3Stores stores;
    private final S3Client s3;
    private final Retrier retrier;
    private final String tenant;
    private final String keyPrefix;
    private final String bucket;

    S3ObjectStore(S3Stores stores, String tenant, String keyPrefix) {
        this.stores = stores;
        this.s3 = stores.client();
        this.retrier = stores.retrier();
        this.tenant = tenant;
        this.keyPrefix = keyPrefix;
        this.bucket = stores.settings().bucket();
    }

    /** The tenant this store is scoped to. */
    public String tenant() {
        return tenant;
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key {@code id} is (or would be) stored under. */
    @Override
    public String keyOf(ObjectId id) {
        return keyPrefix + id.hex();
    }

    /** The key prefix of this tenant's objects, ending in {@code /}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    // ---------------------------------------------------------------- puts

    @Override
    public StoredObject put(InputStream in, PutOptions options) {
        Objects.requireNonNull(in, "in");
        return store(source(in), null, options);
    }

    /**
     * Stores a file. The file is hashed first (its SHA-256 on this thread while its chunk map is
     * computed on a second one) and the key looked up with a {@code HEAD}: when the tenant already
     * holds it nothing is transferred. A file this process hashed before and that is unchanged since
     * (same inode, size, modification and change time; see {@link FileHashCache}) is not even read
     * again. Otherwise a small file goes up in one {@code PUT}, a large one in parallel parts sent
     * straight from the file (each part hashed by its own task for {@code x-amz-checksum-sha256}, no
     * spool file), and the upload is aborted if the file changed meanwhile.
     */
    @Override
    public StoredObject putFile(Path file, PutOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(options, "options");
        S3Settings s = stores.settings();
        FileStamp before = FileStamp.of(file);
        if (before.size() > s.maxObjectSize()) {
            throw new StoreException(
                    "cannot upload " + file + ": " + before.size() + " bytes is more than " + s.maxObjectSize()
                            + " (10,000 parts); raise the part size",
                    null);
        }
        Optional<ObjectId> known = stores.fileHashes().lookup(file, before);
        if (known.isPresent()) {
            Optional<StoredObject> held = alreadyHeld(known.get());
            if (held.isPresent() && held.get().size() == before.size()) {
                return held.get();
            }
        }
        long started = System.currentTimeMillis();
        if (before.size() < s.multipartThreshold()) {
            try (UploadSource src = UploadSource.fromFile(file, s.partSize(), s.maxObjectSize(), s.chunker())) {
                StoredObject stored = store(src, null, options);
                FileStamp after = FileStamp.of(file);
                if (after.equals(before)) {
                    stores.fileHashes().remember(file, before, stored.id(), started);
                }
                return stored;
            }
        }
        return putLargeFile(file, before, known.orElse(null), started, options);
    }

    private StoredObject putLargeFile(Path file, FileStamp before, ObjectId known, long started, PutOptions options) {
        S3Settings s = stores.settings();
        long t0 = System.nanoTime();
        FileDigests.Background chunking = FileDigests.chunkMapInBackground(file, s.chunker());
        try {
            ObjectId id = known != null ? known : FileDigests.sha256(file, before.size());
            long t1 = System.nanoTime();
            if (!FileStamp.of(file).equals(before)) {
                throw new StoreException("file " + file + " changed while it was being hashed", null);
            }
            stores.fileHashes().remember(file, before, id, started);
            if (known == null) {
                Optional<StoredObject> held = alreadyHeld(id);
                if (held.isPresent() && held.get().size() == before.size()) {
                    return held.get();
                }
            }
            ChunkMap map = chunking.await();
            long t2 = System.nanoTime();
            if (map.size() != before.size()) {
                throw new StoreException("file " + file + " changed while its chunk map was computed", null);
            }
            // The chunk map goes first, so that an object that exists always has its map.
            ObjectId mapId = map.chunkCount() > 1 ? putChunkMap(map) : null;
            String key = keyOf(id);
            try (FileParts parts = new FileParts(file, before, s.partSize())) {
                stores.uploader()
                        .upload(
                                bucket,
                                key,
                                parts,
                                options.mediaType().mime(),
                                CACHE_CONTROL,
                                Map.of(CHUNK_MAP_META, mapId == null ? NO_CHUNK_MAP : mapId.hex()));
            }
            log.debug(
                    "put {} ({} bytes): hashed in {} ms, chunk map after {} ms, uploaded after {} ms",
                    file,
                    before.size(),
                    (t1 - t0) / 1_000_000,
                    (t2 - t0) / 1_000_000,
                    (System.nanoTime() - t0) / 1_000_000);
            return new StoredObject(id, before.size(), mapId, map, true);
        } finally {
            chunking.cancel();
        }
    }

    /**
     * Stores {@code in} if its content hashes to {@code expected}. When the tenant already holds
     * {@code expected}, returns at once ({@code created == false}) without reading {@code in}: a
     * client that knows its content's hash re-uploads it for the price of one {@code HEAD}.
     */
    @Override
    public StoredObject putVerified(InputStream in, ObjectId expected, PutOptions options) {
        Objects.requireNonNull(expected, "expected");
        Optional<StoredObject> held = alreadyHeld(expected);
        if (held.isPresent()) {
            return held.get();
        }
        return store(source(in), expected, options);
    }

    private UploadSource source(InputStream in) {
        S3Settings s = stores.settings();
        return UploadSource.fromStream(
                in, s.spoolDir(), s.multipartThreshold(), s.partSize(), s.maxObjectSize(), s.chunker());
    }

    private StoredObject store(UploadSource src, ObjectId expected, PutOptions options) {
        Objects.requireNonNull(options, "options");
        try (src) {
            ObjectDigester.Result r = src.digest();
            if (expected != null && !expected.equals(r.id())) {
                throw new CorruptObjectException("upload for object " + expected + " to " + this, expected, r.id());
            }
            // The chunk map goes first, so that an object that exists always has its map.
            ObjectId mapId = r.chunkMap().chunkCount() > 1 ? putChunkMap(r.chunkMap()) : null;
            boolean created = upload(
                    r.id(),
                    src,
                    options.mediaType().mime(),
                    Map.of(CHUNK_MAP_META, mapId == null ? NO_CHUNK_MAP : mapId.hex()));
            return new StoredObject(r.id(), r.size(), mapId, r.chunkMap(), created);
        }
    }

    /** Stores a chunk map as an object of its own (unless held); returns its id. */
    private ObjectId putChunkMap(ChunkMap chunkMap) {
        byte[] map = chunkMap.encode();
        ObjectId mapId = Sha256.of(map);
        S3Settings s = stores.settings();
        try (UploadSource mapSrc = UploadSource.fromStream(
                new ByteArrayInputStream(map),
                s.spoolDir(),
                s.multipartThreshold(),
                s.partSize(),
                s.maxObjectSize(),
                s.chunker())) {
            upload(mapId, mapSrc, MediaType.OCTET_STREAM.mime(), Map.of(CHUNK_MAP_META, NO_CHUNK_MAP));
        }
        return mapId;
    }

    /**
     * When the tenant already holds {@code expected} (a {@code HEAD}), returns its record without
     * reading a byte of the caller's stream: nothing would be stored anyway. Empty when the object is
     * missing or was stored without lode's chunk-map metadata.
     */
    private Optional<StoredObject> alreadyHeld(ObjectId expected) {
        Optional<HeadObjectResponse> head = head(expected);
        if (head.isEmpty() || !refreshIfOld(expected, head.get())) {
            return Optional.empty();
        }
        String mapRef = head.get().metadata().get(CHUNK_MAP_META);
        long size = head.get().contentLength();
        if (mapRef == null) {
            return Optional.empty();
        }
        if (NO_CHUNK_MAP.equals(mapRef)) {
            ChunkMap single = size == 0
                    ? ChunkMap.of(List.of())
                    : ChunkMap.of(List.of(new ChunkRef(0, Math.toIntExact(size), expected)));
            return Optional.of(new StoredObject(expected, size, null, single, false));
        }
        if (!ObjectId.isValid(mapRef)) {
            return Optional.empty();
        }
        ObjectId mapId = ObjectId.parse(mapRef);
        try {
            ChunkMap map = ChunkMap.decode(readAllBytes(mapId));
            if (map.size() != size) {
                return Optional.empty();
            }
            return Optional.of(new StoredObject(expected, size, mapId, map, false));
        } catch (ObjectNotFoundException | dev.lode.core.FormatException | CorruptObjectException e) {
            return Optional.empty(); // repaired by the full put below
        }
    }

    /** Uploads unless the tenant already holds the key; returns whether bytes were sent. */
    private boolean upload(ObjectId id, UploadSource src, String contentType, Map<String, String> metadata) {
        String key = keyOf(id);
        Optional<HeadObjectResponse> existing = head(id);
        if (existing.isPresent() && existing.get().contentLength() == src.size() && refreshIfOld(id, existing.get())) {
            return false;
        }
        // A key with the wrong size cannot be lode's (puts are atomic): it is replaced.
        if (src.size() < stores.settings().multipartThreshold()) {
            String checksum = B64.encodeToString(id.toBytes());
            try {
                retrier.call(
                        "put " + where(key),
                        () -> MultipartUploader.await(stores.uploadClient()
                                .putObject(
                                        b -> b.bucket(bucket)
                                                .key(key)
                                                .contentType(contentType)
                                                .cacheControl(CACHE_CONTROL)
                                                .metadata(metadata)
                                                .contentLength(src.size())
                                                .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                                                .checksumSHA256(checksum),
                                        src.body())));
            } catch (SdkException e) {
                throw failure("put object " + id + " at " + where(key), e);
            }
        } else {
            stores.uploader().upload(bucket, key, src.parts(), contentType, CACHE_CONTROL, metadata);
        }
        return true;
    }

    /**
     * Makes a held object look new again before a put relies on it, so that garbage collection,
     * which deletes only unreferenced objects older than its grace period, cannot take it between
     * this put's {@code HEAD} and its catalog row (a local store renews the file time the same way).
     * S3 has no "touch": the object is copied onto itself with its own headers, a server-side copy
     * that moves no bytes through lode. Returns false when the object vanished meanwhile (the caller
     * then uploads it again). Objects past S3's single-copy limit (5 GiB) are left as they are.
     */
    private boolean refreshIfOld(ObjectId id, HeadObjectResponse head) {
        java.time.Instant modified = head.lastModified();
        if (modified == null
                || modified.isAfter(java.time.Instant.now().minus(REFRESH_AFTER))
                || head.contentLength() > S3Settings.MAX_PART_SIZE) {
            return true;
        }
        String key = keyOf(id);
        try {
            retrier.call(
                    "refresh " + where(key),
                    () -> s3.copyObject(b -> b.sourceBucket(bucket)
                            .sourceKey(key)
                            .destinationBucket(bucket)
                            .destinationKey(key)
                            .metadataDirective(software.amazon.awssdk.services.s3.model.MetadataDirective.REPLACE)
                            .contentType(head.contentType())
                            .cacheControl(head.cacheControl())
                            .metadata(head.metadata())));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("refresh object " + id + " at " + where(key), e);
        } catch (SdkException e) {
            throw failure("refresh object " + id + " at " + where(key), e);
        }
    }

    // ---------------------------------------------------------------- metadata

    private Optional<HeadObjectResponse> head(ObjectId id) {
        String key = keyOf(id);
        try {
            return Optional.of(retrier.call(
                    "head " + where(key),
                    () -> s3.headObject(b -> b.bucket(bucket).key(key))));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("look up object " + id + " at " + where(key), e);
        } catch (SdkException e) {
            throw failure("look up object " + id + " at " + where(key), e);
        }
    }

    @Override
    public boolean contains(ObjectId id) {
        return head(id).isPresent();
    }

    @Override
    public OptionalLong size(ObjectId id) {
        return head(id).map(h -> OptionalLong.of(h.contentLength())).orElse(OptionalLong.empty());
    }

    @Override
    public Optional<MediaType> mediaType(ObjectId id) {
        return head(id).map(h -> {
            String ct = h.contentType();
            if (ct == null || ct.indexOf('/') <= 0) {
                return MediaType.OCTET_STREAM;
            }
            return new MediaType(ct, MediaTypes.isCompressible(ct));
        });
    }

    /**
     * The object's {@code LastModified} from a {@code HEAD}: when it was written. A put of bytes
     * the bucket already holds does not renew it (S3 cannot touch an object without copying it),
     * so garbage collection's grace period protects new objects, not re-uploads of old ones.
     */
    @Override
    public Optional<java.time.Instant> lastModified(ObjectId id) {
        return head(id).map(HeadObjectResponse::lastModified);
    }

    /** The {@code Cache-Control} stored with {@code id}, if held (for checks and tools). */
    public Optional<String> cacheControl(ObjectId id) {
        return head(id).map(HeadObjectResponse::cacheControl);
    }

    // ---------------------------------------------------------------- reads

    @Override
    public SeekableByteChannel open(ObjectId id) {
        long size = size(id).orElseThrow(() -> new ObjectNotFoundException(id));
        return new S3RangeChannel(this, id, size);
    }

    @Override
    public InputStream openRange(ObjectId id, ByteRange range) {
        Objects.requireNonNull(range, "range");
        if (range.length() == 0) {
            long size = size(id).orElseThrow(() -> new ObjectNotFoundException(id));
            checkRange(id, range, size);
            return InputStream.nullInputStream();
        }
        String key = keyOf(id);
        String header = "bytes=" + range.offset() + "-" + (range.end() - 1);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = retrier.call(
                    "get " + header + " of " + where(key),
                    () -> s3.getObject(b -> b.bucket(bucket).key(key).range(header)));
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(id);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ObjectNotFoundException(id);
            }
            if (e.statusCode() == 416) {
                long size = size(id).orElseThrow(() -> new ObjectNotFoundException(id));
                checkRange(id, range, size);
            }
            throw failure("read " + header + " of object " + id + " at " + where(key), e);
        } catch (SdkException e) {
            throw failure("read " + header + " of object " + id + " at " + where(key), e);
        }
        long total = totalOf(in.response().contentRange(), in.response().contentLength());
        if (total >= 0 && !range.fitsIn(total)) {
            in.abort();
            Quietly.close(in);
            checkRange(id, range, total);
        }
        return in;
    }

    private static void checkRange(ObjectId id, ByteRange range, long size) {
        if (!range.fitsIn(size)) {
            throw new IllegalArgumentException("range " + range.offset() + "+" + range.length() + " outside object "
                    + id + " of " + size + " bytes");
        }
    }

    /** The object size from {@code Content-Range: bytes a-b/TOTAL}, or -1 when absent. */
    private static long totalOf(String contentRange, Long contentLength) {
        if (contentRange != null) {
            int slash = contentRange.lastIndexOf('/');
            if (slash >= 0 && slash + 1 < contentRange.length() && contentRange.charAt(slash + 1) != '*') {
                try {
                    return Long.parseLong(contentRange.substring(slash + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** Streams the whole object. */
    private ResponseInputStream<GetObjectResponse> openWhole(ObjectId id) {
        String key = keyOf(id);
        try {
            return retrier.call(
                    "get " + where(key),
                    () -> s3.getObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(id);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ObjectNotFoundException(id);
            }
            throw failure("read object " + id + " at " + where(key), e);
        } catch (SdkException e) {
            throw failure("read object " + id + " at " + where(key), e);
        }
    }

    @Override
    public byte[] readAllBytes(ObjectId id) {
        byte[] data;
        try (InputStream in = openWhole(id)) {
            data = in.readAllBytes();
        } catch (IOException e) {
            throw new StoreException("cannot read object " + id + " at " + where(keyOf(id)) + ": " + e.getMessage(), e);
        }
        ObjectId actual = Sha256.of(data);
        if (!actual.equals(id)) {
            throw new CorruptObjectException("object " + id + " at " + where(keyOf(id)), id, actual);
        }
        return data;
    }

    @Override
    public void verify(ObjectId id) {
        MessageDigest md = Sha256.newDigest();
        try (InputStream in = openWhole(id)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read object " + id + " at " + where(keyOf(id)) + ": " + e.getMessage(), e);
        }
        ObjectId actual = ObjectId.ofDigest(md.digest());
        if (!actual.equals(id)) {
            throw new CorruptObjectException("object " + id + " at " + where(keyOf(id)), id, actual);
        }
    }

    // ---------------------------------------------------------------- presigning and URLs

    /** A presigned GET URL for {@code id} valid for {@link #DEFAULT_PRESIGN} (one hour). */
    public URI presignGet(ObjectId id) {
        return presignGet(id, DEFAULT_PRESIGN);
    }

    /**
     * A SigV4-presigned GET URL for this tenant's {@code id}, valid for {@code ttl}. Made offline: it
     * does not check that the object exists (a GET of a missing key gets 404).
     *
     * @throws IllegalArgumentException unless {@code 1 s <= ttl <= 7 days}
     */
    @Override
    public URI presignGet(ObjectId id, Duration ttl) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_PRESIGN) > 0) {
            throw new IllegalArgumentException("presigned URL lifetime must be 1 s to 7 days, got " + ttl);
        }
        String key = keyOf(id);
        try {
            return stores.presigner()
                    .presignGetObject(p -> p.signatureDuration(ttl)
                            .getObjectRequest(g -> g.bucket(bucket).key(key)))
                    .url()
                    .toURI();
        } catch (java.net.URISyntaxException e) {
            throw new StoreException("presigned URL for " + where(key) + " is not a URI", e);
        }
    }

    /** The CDN URL of {@code id} ({@code CDN_BASE/KEY}), when a CDN base is configured. */
    public Optional<URI> publicUrl(ObjectId id) {
        return stores.settings().cdnBase().map(base -> {
            String b = base.toString();
            return URI.create((b.endsWith("/") ? b : b + "/") + keyOf(id));
        });
    }

    // ---------------------------------------------------------------- housekeeping

    /** Deletes the object; returns whether it was there (a HEAD then a DELETE, not atomic). */
    @Override
    public boolean delete(ObjectId id) {
        if (!contains(id)) {
            return false;
        }
        String key = keyOf(id);
        try {
            retrier.call(
                    "delete " + where(key),
                    () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
            return true;
        } catch (SdkException e) {
            throw failure("delete object " + id + " at " + where(key), e);
        }
    }

    @Override
    public void forEach(Consumer<ObjectId> action) {
        list(o -> {
            String name = o.key().substring(keyPrefix.length());
            if (ObjectId.isValid(name)) {
                action.accept(new ObjectId(name));
            }
        });
    }

    @Override
    public StoreStats stats() {
        long[] acc = new long[2];
        list(o -> {
            if (ObjectId.isValid(o.key().substring(keyPrefix.length()))) {
                acc[0]++;
                acc[1] += o.size();
            }
        });
        return new StoreStats(acc[0], acc[1]);
    }

    private void list(Consumer<S3Object> action) {
        String token = null;
        try {
            do {
                String t = token;
                var page = retrier.call(
                        "list " + where(keyPrefix),
                        () -> s3.listObjectsV2(
                                b -> b.bucket(bucket).prefix(keyPrefix).continuationToken(t)));
                page.contents().forEach(action);
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw failure("list objects under " + where(keyPrefix), e);
        }
    }

    private String where(String key) {
        return "s3://" + bucket + "/" + key;
    }

    static StoreException failure(String action, SdkException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new StoreException("cannot " + action + ": " + why, e);
    }

    @Override
    public String toString() {
        return "S3ObjectStore[" + where(keyPrefix) + "]";
    }
}
