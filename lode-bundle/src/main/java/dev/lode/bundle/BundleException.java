package dev.lode.bundle;

import dev.lode.core.LodeException;

/**
 * A plugin bundle operation that cannot go on: bad plugin folder or metadata, a key that is not
 * a usable key, an unpack target that exists, a verification that failed. The message names the
 * folder, file, key or entry concerned.
 */
public class BundleException extends LodeException {
    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
