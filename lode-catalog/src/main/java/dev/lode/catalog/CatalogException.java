package dev.lode.catalog;

import dev.lode.core.LodeException;

/** A catalog failure: a database error, a failed migration, or a broken invariant. */
public class CatalogException extends LodeException {
    public CatalogException(String message) {
        super(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
