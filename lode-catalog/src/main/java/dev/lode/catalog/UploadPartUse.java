package dev.lode.catalog;

import dev.lode.core.ObjectId;

/**
 * A part of an active (pending or uploading) multipart upload: an object of its tenant's store
 * that garbage collection keeps while the upload may still complete.
 *
 * @param tenant the tenant whose store holds the part
 * @param uploadId the upload
 * @param objectId the part's object
 */
public record UploadPartUse(String tenant, String uploadId, ObjectId objectId) {}
