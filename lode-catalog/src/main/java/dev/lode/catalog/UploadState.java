package dev.lode.catalog;

/** Where an upload stands. {@code OPEN} takes parts; the other states are final. */
public enum UploadState {
    OPEN,
    COMPLETE,
    ABORTED,
    FAILED;

    /** Whether nothing more will happen to the upload. */
    public boolean isFinal() {
        return this != OPEN;
    }
}
