package dev.lode.s3;

import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The parts of one multipart upload as {@link MultipartUploader} sends them: fixed-size parts (the
 * last may be shorter), each with its SHA-256 for {@code x-amz-checksum-sha256}.
 */
interface UploadParts {
    int count();

    long length(int index);

    /**
     * The SHA-256 of part {@code index}, asked once per part before its first attempt (it may read
     * the part: parts are hashed in parallel by the part tasks).
     */
    byte[] sha256(int index);

    /** A fresh body for one attempt of part {@code index}. */
    AsyncRequestBody body(int index);

    /** Called after every part arrived and before the upload is completed; throws to abort it. */
    default void beforeComplete() {}
}
