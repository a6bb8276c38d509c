package dev.lode.server;

import java.util.Map;

/** What a request handler answers with, built off the event loop and written on it. */
sealed interface Reply {
    /** A JSON body (a map or record Jackson can write) with a status and extra headers. */
    record Json(int status, Object body, Map<String, String> headers) implements Reply {
        Json(int status, Object body) {
            this(status, body, Map.of());
        }
    }

    /** A representation, subject to conditionals and ranges. */
    record Body(Representation representation) implements Reply {}

    /** An error: {@code {"error": message}}. */
    static Json error(int status, String message) {
        return new Json(status, Map.of("error", message));
    }
}
