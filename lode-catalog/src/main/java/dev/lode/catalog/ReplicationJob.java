package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One row of the replication queue: an object still to be copied to a replica.
 *
 * @param scope the queue it belongs to (one replicated store, e.g. a tenant's)
 * @param object the object to copy
 * @param replica the replica's name
 * @param enqueuedAt when it was queued (the queue's order)
 * @param attempts failed attempts so far
 * @param notBefore not tried again before this time
 * @param lastError the last failure's message, or null
 * @param leaseOwner the worker that holds it, or null when free
 * @param leaseUntil when that worker's claim lapses ({@link Instant#EPOCH} when free)
 */
public record ReplicationJob(
        String scope,
        ObjectId object,
        String replica,
        Instant enqueuedAt,
        int attempts,
        Instant notBefore,
        String lastError,
        String leaseOwner,
        Instant leaseUntil) {
    public ReplicationJob {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
    }

    /** The worker holding the job at {@code now}, if its lease has not lapsed. */
    public Optional<String> heldBy(Instant now) {
        return leaseOwner != null && leaseUntil.isAfter(now) ? Optional.of(leaseOwner) : Optional.empty();
    }
}
