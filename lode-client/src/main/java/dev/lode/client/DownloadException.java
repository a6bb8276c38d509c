package dev.lode.client;

import dev.lode.core.LodeException;

/** A plugin download that failed for good; the message names the plugin, URL or file and why. */
public final class DownloadException extends LodeException {
    private final boolean retryable;

    public DownloadException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public DownloadException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** Whether trying again may help (network trouble, 5xx, a stall) or not (404, a bad bundle). */
    public boolean retryable() {
        return retryable;
    }
}
