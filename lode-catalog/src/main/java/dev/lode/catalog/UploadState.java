package dev.lode.catalog;

/**
 * Where an upload stands. {@code PENDING} and {@code UPLOADING} are active (they take bytes or
 * parts); the other states are final.
 */
public enum UploadState {
    /** Created; no bytes received yet. */
    PENDING,
    /** Bytes arriving: a single PUT streaming, or a multipart upload with at least one part. */
    UPLOADING,
    /** Stored and recorded as an artifact. */
    COMPLETE,
    /** Ended by an error (bad body, dropped connection, server restart mid-stream). */
    FAILED,
    /** Ended on request, or by garbage collection after a day without activity. */
    ABORTED;

    /** Whether nothing more will happen to the upload. */
    public boolean isFinal() {
        return !isActive();
    }

    /** Whether the upload still takes bytes or parts. */
    public boolean isActive() {
        return this == PENDING || this == UPLOADING;
    }
}
