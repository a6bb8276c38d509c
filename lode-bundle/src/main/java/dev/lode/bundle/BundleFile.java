package dev.lode.bundle;

import dev.lode.core.ObjectId;
import dev.lode.core.SafePaths;
import java.util.Objects;

/**
 * One file of a plugin bundle as the manifest lists it.
 *
 * @param path relative, {@code /}-separated path inside the plugin (checked by {@link SafePaths})
 * @param size length in bytes
 * @param sha256 SHA-256 of the file's bytes
 */
public record BundleFile(String path, long size, ObjectId sha256) {
    public BundleFile {
        SafePaths.checkRelative(path);
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + path);
        }
        Objects.requireNonNull(sha256, "sha256");
    }
}
