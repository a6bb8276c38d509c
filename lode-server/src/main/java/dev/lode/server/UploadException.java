package dev.lode.server;

import dev.lode.core.LodeException;

/** A tenant upload request that cannot be carried out; {@link #status()} is the HTTP status to answer. */
final class UploadException extends LodeException {
    private final int status;

    UploadException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
