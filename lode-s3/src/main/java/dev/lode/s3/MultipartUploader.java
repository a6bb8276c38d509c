package dev.lode.s3;

import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One multipart upload: parts of one fixed size (the last may be shorter, as R2 requires), several
 * in flight at once, each streamed from its {@link UploadParts} (a spooled {@link UploadSource} or a
 * file read in place, {@link FileParts}) with its SHA-256 in {@code x-amz-checksum-sha256} so the
 * service checks every part. A failed part is retried on its own under
 * the {@link RetryPolicy}; when a part fails for good the others are stopped and the upload is
 * aborted, so no orphaned parts stay behind. The composite checksum S3 returns on completion is
 * compared with the one computed from lode's part hashes; the multipart ETag is never trusted.
 *
 * <p>Written here rather than with the SDK's S3TransferManager because lode needs the part size
 * fixed per upload, its own SHA-256 per part from the hashing pass, and per-part retries it can
 * observe and test.
 */
final class MultipartUploader {
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final S3Client s3;
    private final S3AsyncClient bodies;
    private final Retrier retrier;
    private final int concurrency;

    MultipartUploader(S3Client s3, S3AsyncClient bodies, Retrier retrier, int concurrency) {
        this.s3 = s3;
        this.bodies = bodies;
        this.retrier = retrier;
        this.concurrency = concurrency;
    }

    void upload(
            String bucket,
            String key,
            UploadParts source,
            String contentType,
            String cacheControl,
            java.util.Map<String, String> metadata) {
        String where = "s3://" + bucket + "/" + key;
        String uploadId = retrier.call(
                        "start multipart upload of " + where,
                        () -> s3.createMultipartUpload(b -> b.bucket(bucket)
                                .key(key)
                                .contentType(contentType)
                                .cacheControl(cacheControl)
                                .metadata(metadata)
                                .checksumAlgorithm(ChecksumAlgorithm.SHA256)))
                .uploadId();
        boolean completed = false;
        try {
            long t0 = System.nanoTime();
            List<CompletedPart> parts = uploadParts(bucket, key, uploadId, source, where);
            source.beforeComplete();
            long t1 = System.nanoTime();
            CompleteMultipartUploadResponse done = retrier.call(
                    "complete multipart upload of " + where,
                    () -> s3.completeMultipartUpload(
                            b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            completed = true;
            log.debug(
                    "{}: {} parts in {} ms, completed in {} ms",
                    where,
                    parts.size(),
                    (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
            checkComposite(done.checksumSHA256(), parts, bucket, key, where);
        } catch (SdkException e) {
            throw new StoreException("multipart upload of " + where + " failed: " + e.getMessage(), e);
        } finally {
            if (!completed) {
                abort(bucket, key, uploadId, where);
            }
        }
    }

    private List<CompletedPart> uploadParts(
            String bucket, String key, String uploadId, UploadParts source, String where) {
        int count = source.count();
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(concurrency, count),
                Thread.ofVirtual().name("lode-s3-part-", 0).factory());
        List<Future<CompletedPart>> futures = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit(() -> uploadPart(bucket, key, uploadId, source, index, where)));
            }
            List<CompletedPart> parts = new ArrayList<>(count);
            for (Future<CompletedPart> f : futures) {
                parts.add(f.get());
            }
            return parts;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SdkException sdk) {
                throw sdk;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException("multipart upload of " + where + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("multipart upload of " + where + " interrupted", e);
        } finally {
            // Stop parts still running before the caller aborts: a part that lands after the abort
            // would otherwise stay behind as an orphan.
            pool.shutdownNow();
            awaitQuietly(pool, where);
        }
    }

    private CompletedPart uploadPart(
            String bucket, String key, String uploadId, UploadParts source, int index, String where) {
        int partNumber = index + 1;
        String checksum = B64.encodeToString(source.sha256(index));
        long length = source.length(index);
        UploadPartResponse r;
        try {
            r = retrier.call(
                    "upload part " + partNumber + " of " + source.count() + " of " + where,
                    () -> await(bodies.uploadPart(
                            b -> b.bucket(bucket)
                                    .key(key)
                                    .uploadId(uploadId)
                                    .partNumber(partNumber)
                                    .contentLength(length)
                                    .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                                    .checksumSHA256(checksum),
                            source.body(index))));
        } catch (SdkException e) {
            throw new StoreException(
                    "multipart upload of " + where + " failed at part " + partNumber + " of " + source.count() + ": "
                            + e.getMessage(),
                    e);
        }
        if (r.checksumSHA256() != null && !r.checksumSHA256().equals(checksum)) {
            throw new StoreException(
                    "part " + partNumber + " of " + where + " arrived with SHA-256 " + r.checksumSHA256()
                            + " but lode sent " + checksum,
                    null);
        }
        return CompletedPart.builder()
                .partNumber(partNumber)
                .eTag(r.eTag())
                .checksumSHA256(checksum)
                .build();
    }

    /**
     * Waits for an async request; failures come back as the SDK exception that caused them, and an
     * interrupt cancels the request.
     */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw AbortedException.builder().message("interrupted").cause(e).build();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof SdkException sdk) {
                throw sdk;
            }
            throw SdkClientException.create(String.valueOf(cause.getMessage()), cause);
        }
    }

    /** S3's checksum of a multipart object is SHA-256(part digests) plus "-N"; compare it when given. */
    private void checkComposite(String reported, List<CompletedPart> parts, String bucket, String key, String where) {
        if (reported == null) {
            return;
        }
        MessageDigest md = Sha256.newDigest();
        for (CompletedPart p : parts) {
            md.update(Base64.getDecoder().decode(p.checksumSHA256()));
        }
        String expected = B64.encodeToString(md.digest());
        String value = reported.contains("-") ? reported.substring(0, reported.indexOf('-')) : reported;
        if (!value.equals(expected)) {
            retrier.call(
                    "delete mismatched " + where,
                    () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
            throw new StoreException(
                    "multipart upload of " + where + " completed with checksum " + reported + " but its parts hash to "
                            + expected + "-" + parts.size() + "; object deleted",
                    null);
        }
    }

    private void abort(String bucket, String key, String uploadId, String where) {
        try {
            retrier.call(
                    "abort multipart upload of " + where,
                    () -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)));
        } catch (SdkException e) {
            // Keep the original failure; the lifecycle sweep aborts what is left.
            log.warn("cannot abort multipart upload {} of {}: {}", uploadId, where, e.getMessage());
        }
    }

    private static void awaitQuietly(ExecutorService pool, String where) {
        try {
            if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
                log.warn("parts of {} still running after cancellation", where);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
