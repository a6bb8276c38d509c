package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.time.Instant;
import java.util.Optional;

/**
 * A tenant upload: a single streamed PUT or a multipart upload.
 *
 * @param uploadId random id
 * @param key where the artifact goes
 * @param isPublic whether it will be public
 * @param state where it stands
 * @param objectId the stored object once complete, else null
 * @param size its size once complete, else -1
 * @param deduplicated once complete: whether the bytes were already stored (nothing new written)
 * @param error why it failed, else null
 * @param createdAt started
 * @param updatedAt last changed
 */
public record UploadRecord(
        String uploadId,
        TenantAssetKey key,
        boolean isPublic,
        UploadState state,
        ObjectId objectId,
        long size,
        boolean deduplicated,
        String error,
        Instant createdAt,
        Instant updatedAt) {
    /** The object, once complete. */
    public Optional<ObjectId> object() {
        return Optional.ofNullable(objectId);
    }
}
