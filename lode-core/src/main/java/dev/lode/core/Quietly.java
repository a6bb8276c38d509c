package dev.lode.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Best-effort clean-up for failure paths, where a second error must not hide the first: deleting
 * a temporary file or closing a resource that is being abandoned anyway.
 */
public final class Quietly {
    private Quietly() {}

    /** Deletes {@code p} if it exists; ignores {@code null} and any I/O error. */
    public static void delete(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // Best effort: a stray temporary file only wastes space.
        }
    }

    /** Closes {@code c}; ignores {@code null} and any error. */
    public static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Best effort: the resource is being abandoned.
        }
    }
}
