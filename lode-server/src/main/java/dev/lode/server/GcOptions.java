package dev.lode.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What a garbage collection removes.
 *
 * @param olderThan a tenant's run is removed from the catalog when its newest artifact is older
 *     than this (default 30 days)
 * @param grace an unreferenced object is deleted only when it was written longer ago than this
 *     (default 1 hour), so an upload whose object is stored but not yet recorded keeps it
 * @param uploadExpiry an active upload with no activity for this long is aborted and its parts
 *     deleted (default 1 day)
 * @param dryRun report what would be removed and change nothing
 */
public record GcOptions(Duration olderThan, Duration grace, Duration uploadExpiry, boolean dryRun) {
    /** 30 days of retention, 1 hour of grace, uploads abandoned after 1 day; not a dry run. */
    public static final GcOptions DEFAULTS =
            new GcOptions(Duration.ofDays(30), Duration.ofHours(1), Duration.ofDays(1), false);

    public GcOptions {
        requirePositive(olderThan, "retention (--older-than)");
        requirePositive(grace, "grace period (--grace)");
        requirePositive(uploadExpiry, "upload expiry");
    }

    private static void requirePositive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + d);
        }
    }

    /** These options with retention {@code d}. */
    public GcOptions withOlderThan(Duration d) {
        return new GcOptions(d, grace, uploadExpiry, dryRun);
    }

    /** These options with grace period {@code d}. */
    public GcOptions withGrace(Duration d) {
        return new GcOptions(olderThan, d, uploadExpiry, dryRun);
    }

    /** These options with upload expiry {@code d}. */
    public GcOptions withUploadExpiry(Duration d) {
        return new GcOptions(olderThan, grace, d, dryRun);
    }

    /** These options as a dry run, or not. */
    public GcOptions withDryRun(boolean dry) {
        return new GcOptions(olderThan, grace, uploadExpiry, dry);
    }
}
