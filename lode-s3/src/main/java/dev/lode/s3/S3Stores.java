package dev.lode.s3;

import dev.lode.core.ObjectStores;
import dev.lode.core.StoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * One bucket and the clients that reach it; hands out a {@link S3ObjectStore} per tenant, all
 * sharing one connection pool, and one for the server's own assets under {@code
 * [PREFIX/]_server/objects/} (no tenant id starts with '_'). Thread-safe; close it when done (the
 * per-tenant stores need not be closed).
 */
public final class S3Stores implements ObjectStores {
    /** The key segment of the server's own assets; never a valid tenant id. */
    static final String SERVER_SEGMENT = "_server";

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final S3Settings settings;
    private final S3Client client;
    private final S3AsyncClient uploads;
    private final S3Presigner presigner;
    private final Retrier retrier;
    private final MultipartUploader uploader;
    private final ConcurrentHashMap<String, S3ObjectStore> tenants = new ConcurrentHashMap<>();
    private final S3ObjectStore shared;
    private final FileHashCache fileHashes;

    private S3Stores(S3Settings settings) {
        this.settings = settings;
        Region region = Region.of(settings.region());
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(settings.credentials())
                .forcePathStyle(settings.pathStyle())
                .httpClientBuilder(Apache5HttpClient.builder().maxConnections(settings.maxConnections()))
                // lode sends its own SHA-256 where it matters; no extra CRC pass on every request.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    // Every retry goes through lode's RetryPolicy (see Retrier).
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    settings.interceptors().forEach(o::addExecutionInterceptor);
                });
        // Bodies go through the async client: it streams unsigned payloads guarded by a checksum,
        // where the sync client would sign every 64 KiB chunk again over plain HTTP.
        var asyncBuilder = S3AsyncClient.builder()
                .region(region)
                .credentialsProvider(settings.credentials())
                .forcePathStyle(settings.pathStyle())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(settings.maxConnections()))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> {
                    o.retryStrategy(AwsRetryStrategy.doNotRetry());
                    settings.interceptors().forEach(o::addExecutionInterceptor);
                });
        var presignerBuilder = S3Presigner.builder()
                .region(region)
                .credentialsProvider(settings.credentials())
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(settings.pathStyle())
                        .build());
        settings.endpoint().ifPresent(e -> {
            builder.endpointOverride(e);
            asyncBuilder.endpointOverride(e);
            presignerBuilder.endpointOverride(e);
        });
        this.client = builder.build();
        this.uploads = asyncBuilder.build();
        this.presigner = presignerBuilder.build();
        this.retrier = new Retrier(settings.retry());
        this.uploader = new MultipartUploader(client, uploads, retrier, settings.uploadConcurrency());
        this.fileHashes = new FileHashCache(settings.fileHashCacheSize());
        this.shared = new S3ObjectStore(this, SERVER_SEGMENT, base() + SERVER_SEGMENT + "/objects/");
    }

    private String base() {
        return settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    }

    /** Opens clients for the bucket in {@code settings} (no request is made yet). */
    public static S3Stores open(S3Settings settings) {
        return new S3Stores(settings);
    }

    /** The settings these stores use. */
    public S3Settings settings() {
        return settings;
    }

    /**
     * The store of one tenant: its objects live under {@code [PREFIX/]TENANT/objects/}, and
     * deduplication, listing and presigning never reach past that prefix.
     *
     * @throws IllegalArgumentException unless the id is 1-128 of letters, digits, '.', '_', '-',
     *     starting with a letter or digit
     */
    public S3ObjectStore forTenant(String tenantId) {
        checkTenant(tenantId);
        return tenants.computeIfAbsent(tenantId, t -> new S3ObjectStore(this, t, base() + t + "/objects/"));
    }

    /** The store of the server's own assets, under {@code [PREFIX/]_server/objects/}. */
    @Override
    public S3ObjectStore shared() {
        return shared;
    }

    /** Same as {@link #forTenant}. */
    @Override
    public S3ObjectStore tenant(String tenant) {
        return forTenant(tenant);
    }

    /** False: every tenant has its own key prefix. */
    @Override
    public boolean isSingle() {
        return false;
    }

    /** Whether {@code tenantId} is usable as a tenant's key segment. */
    public static boolean isValidTenant(String tenantId) {
        return tenantId != null && TENANT.matcher(tenantId).matches();
    }

    static void checkTenant(String tenantId) {
        if (!isValidTenant(tenantId)) {
            throw new IllegalArgumentException("not a tenant id (1-128 of A-Z a-z 0-9 . _ -, starting with a"
                    + " letter or digit): '" + tenantId + "'");
        }
    }

    /**
     * Checks that the bucket exists and these credentials reach it.
     *
     * @throws StoreException naming the bucket and endpoint when it does not, or cannot be reached
     */
    public void requireBucket() {
        String bucket = settings.bucket();
        String where =
                "bucket " + bucket + settings.endpoint().map(e -> " at " + e).orElse("");
        try {
            retrier.call("look up " + where, () -> client.headBucket(b -> b.bucket(bucket)));
        } catch (NoSuchBucketException e) {
            throw new StoreException(where + " does not exist", e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new StoreException(where + " does not exist", e);
            }
            if (e.statusCode() == 403) {
                throw new StoreException("access to " + where + " denied: check the credentials", e);
            }
            throw S3ObjectStore.failure("look up " + where, e);
        } catch (SdkException e) {
            throw S3ObjectStore.failure("look up " + where, e);
        }
    }

    /** Creates the bucket unless it exists; returns whether it was created. */
    public boolean createBucketIfMissing() {
        String bucket = settings.bucket();
        try {
            retrier.call("look up bucket " + bucket, () -> client.headBucket(b -> b.bucket(bucket)));
            return false;
        } catch (NoSuchBucketException e) {
            // fall through
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw S3ObjectStore.failure("look up bucket " + bucket, e);
            }
        } catch (SdkException e) {
            throw S3ObjectStore.failure("look up bucket " + bucket, e);
        }
        try {
            retrier.call("create bucket " + bucket, () -> client.createBucket(b -> b.bucket(bucket)));
            return true;
        } catch (SdkException e) {
            throw S3ObjectStore.failure("create bucket " + bucket, e);
        }
    }

    /**
     * Aborts multipart uploads under this bucket's prefix that were started more than {@code
     * olderThan} ago (uploads cut off by a crash leave parts that S3 bills until aborted); returns
     * how many were aborted. Younger uploads may still be running and are left alone.
     */
    @Override
    public int abortIncompleteUploads(Duration olderThan) {
        Instant cutoff = Instant.now().minus(olderThan);
        String bucket = settings.bucket();
        String prefix = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        int aborted = 0;
        String keyMarker = null;
        String uploadMarker = null;
        try {
            while (true) {
                String km = keyMarker;
                String um = uploadMarker;
                ListMultipartUploadsResponse page = retrier.call(
                        "list multipart uploads in " + bucket,
                        () -> client.listMultipartUploads(b ->
                                b.bucket(bucket).prefix(prefix).keyMarker(km).uploadIdMarker(um)));
                for (MultipartUpload u : page.uploads()) {
                    if (u.initiated() != null && u.initiated().isBefore(cutoff)) {
                        retrier.call(
                                "abort multipart upload of " + u.key(),
                                () -> client.abortMultipartUpload(
                                        b -> b.bucket(bucket).key(u.key()).uploadId(u.uploadId())));
                        aborted++;
                    }
                }
                if (!Boolean.TRUE.equals(page.isTruncated())) {
                    return aborted;
                }
                keyMarker = page.nextKeyMarker();
                uploadMarker = page.nextUploadIdMarker();
            }
        } catch (SdkException e) {
            throw S3ObjectStore.failure("abort incomplete multipart uploads in " + bucket, e);
        }
    }

    S3Client client() {
        return client;
    }

    S3AsyncClient uploadClient() {
        return uploads;
    }

    S3Presigner presigner() {
        return presigner;
    }

    Retrier retrier() {
        return retrier;
    }

    MultipartUploader uploader() {
        return uploader;
    }

    FileHashCache fileHashes() {
        return fileHashes;
    }

    @Override
    public void close() {
        presigner.close();
        uploads.close();
        client.close();
    }

    @Override
    public String toString() {
        return "S3Stores[" + settings + "]";
    }
}
