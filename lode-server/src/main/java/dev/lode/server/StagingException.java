package dev.lode.server;

import dev.lode.core.LodeException;

/** Auto-staging could not fetch an asset; {@link #kind()} decides the HTTP status. */
final class StagingException extends LodeException {
    enum Kind {
        /** The source has no such asset: 404. */
        NOT_FOUND,
        /** The source failed or answered badly: 502. */
        BAD_GATEWAY,
        /** The source did not answer in time: 504. */
        TIMEOUT
    }

    private final Kind kind;

    StagingException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    Kind kind() {
        return kind;
    }
}
