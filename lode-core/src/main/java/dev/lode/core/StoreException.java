package dev.lode.core;

import java.nio.file.Path;

/** An I/O failure in a store, naming the path or object it concerns. */
public final class StoreException extends LodeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    static StoreException io(String action, Path path, Exception cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new StoreException("cannot " + action + " " + path + ": " + why, cause);
    }
}
