package dev.lode.server;

import dev.lode.catalog.RunSummary;
import java.time.Duration;
import java.util.List;

/**
 * What a garbage collection removed, or with {@link #dryRun()} would remove.
 *
 * @param dryRun whether nothing was changed
 * @param runsRemoved tenant runs removed from the catalog
 * @param assetsRemoved tenant artifacts those runs held
 * @param objectsDeleted unreferenced objects deleted from the stores
 * @param bytesFreed bytes of those objects
 * @param uploadsAborted inactive uploads aborted
 * @param storeUploadsAborted unfinished multipart uploads of the store itself (an S3 bucket's) aborted
 * @param objectsKeptYoung unreferenced objects kept because they are younger than the grace period
 * @param objectsKeptUnknownAge unreferenced objects kept because their store cannot tell their age
 * @param runs the runs removed
 * @param uploads the ids of the uploads aborted
 * @param took how long the collection ran
 */
public record GcReport(
        boolean dryRun,
        long runsRemoved,
        long assetsRemoved,
        long objectsDeleted,
        long bytesFreed,
        long uploadsAborted,
        long storeUploadsAborted,
        long objectsKeptYoung,
        long objectsKeptUnknownAge,
        List<RunSummary> runs,
        List<String> uploads,
        Duration took) {
    public GcReport {
        runs = List.copyOf(runs);
        uploads = List.copyOf(uploads);
    }

    /** One line for logs. */
    public String summary() {
        return (dryRun ? "would remove " : "removed ") + runsRemoved + " runs (" + assetsRemoved + " assets), "
                + objectsDeleted + " objects (" + bytesFreed + " bytes), aborted " + uploadsAborted
                + " uploads"
                + (storeUploadsAborted > 0 ? " and " + storeUploadsAborted + " store multipart uploads" : "")
                + "; kept " + objectsKeptYoung + " unreferenced objects younger than the grace period"
                + (objectsKeptUnknownAge > 0 ? " and " + objectsKeptUnknownAge + " of unknown age" : "")
                + " in " + took.toMillis() + " ms";
    }
}
