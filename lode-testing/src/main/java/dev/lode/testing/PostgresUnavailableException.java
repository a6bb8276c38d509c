package dev.lode.testing;

/** PostgreSQL could not be installed or started for the tests; the message says why and how to fix it. */
public final class PostgresUnavailableException extends IllegalStateException {
    public PostgresUnavailableException(String message) {
        super(message);
    }

    public PostgresUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
