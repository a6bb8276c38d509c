package dev.lode.bundle;

import dev.lode.core.ObjectId;
import java.util.Objects;

/**
 * The zip a manifest describes: {@code assets.<sha256>.zip} beside the manifest.
 *
 * @param name file name, always {@link #fileName(ObjectId)} of {@code sha256}
 * @param size length of the zip in bytes
 * @param sha256 SHA-256 of the zip's bytes
 */
public record BundleRef(String name, long size, ObjectId sha256) {
    public BundleRef {
        Objects.requireNonNull(sha256, "sha256");
        if (!fileName(sha256).equals(name)) {
            throw new IllegalArgumentException(
                    "bundle name '" + name + "' is not " + fileName(sha256) + " (assets.<sha256>.zip)");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative bundle size " + size);
        }
    }

    /** A reference to the zip with this hash and size. */
    public static BundleRef of(ObjectId sha256, long size) {
        return new BundleRef(fileName(sha256), size, sha256);
    }

    /** {@code assets.<sha256>.zip}. */
    public static String fileName(ObjectId sha256) {
        return "assets." + sha256.hex() + ".zip";
    }
}
