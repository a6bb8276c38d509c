package dev.lode.s3;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.ReplicationCatalog;
import dev.lode.catalog.ReplicationJob;
import dev.lode.core.LodeException;
import dev.lode.core.ObjectId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReplicationQueue} in the catalog's {@code replication_queue} table (SQLite or
 * PostgreSQL), under one scope (e.g. the tenant whose store is replicated). Every change is a
 * committed transaction before the call returns, so a restart loses nothing; several servers on one
 * catalog share the queue, each claiming tasks under its own owner id with a lease (see {@link
 * ReplicationCatalog}). Closing frees this worker's claims at once, so a restarted server (or
 * another one) picks them up without waiting for the lease to lapse; it does not close the catalog.
 */
public final class CatalogReplicationQueue implements ReplicationQueue {
    private static final Logger log = LoggerFactory.getLogger(CatalogReplicationQueue.class);

    /** The default claim lease: longer than copying any one object should take. */
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(10);

    private final ReplicationCatalog jobs;
    private final String scope;
    private final String owner;
    private final Duration lease;

    private CatalogReplicationQueue(ReplicationCatalog jobs, String scope, String owner, Duration lease) {
        this.jobs = jobs;
        this.scope = scope;
        this.owner = owner;
        this.lease = lease;
    }

    /** The queue of {@code scope} in {@code catalog}, claimed under a fresh owner id with the default lease. */
    public static CatalogReplicationQueue open(Catalog catalog, String scope) {
        return open(catalog, scope, DEFAULT_LEASE);
    }

    /** The queue of {@code scope} in {@code catalog}, claimed under a fresh owner id for {@code lease}. */
    public static CatalogReplicationQueue open(Catalog catalog, String scope, Duration lease) {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(lease, "lease");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("lease must be positive, got " + lease);
        }
        // One owner id per queue object: a restarted process never mistakes its predecessor's claims for its own.
        String owner = "w-" + UUID.randomUUID();
        CatalogReplicationQueue q = new CatalogReplicationQueue(catalog.replication(), scope, owner, lease);
        q.jobs.size(scope); // checks the scope name and that the table is there
        return q;
    }

    /** The scope this queue works in. */
    public String scope() {
        return scope;
    }

    /** The owner id this worker claims under. */
    public String owner() {
        return owner;
    }

    @Override
    public void enqueue(ObjectId object, String replica) {
        jobs.enqueue(scope, object, replica);
    }

    @Override
    public List<ReplicationTask> claim(Instant now, int limit) {
        return jobs.claim(scope, owner, now, lease, limit).stream()
                .map(CatalogReplicationQueue::task)
                .toList();
    }

    @Override
    public void complete(ReplicationTask task) {
        jobs.complete(scope, task.object(), task.replica(), owner);
    }

    @Override
    public void retryLater(ReplicationTask task, Instant notBefore, String error) {
        jobs.retryLater(scope, task.object(), task.replica(), owner, notBefore, error);
    }

    @Override
    public long size() {
        return jobs.size(scope);
    }

    @Override
    public List<ReplicationTask> pending() {
        return jobs.pending(scope).stream().map(CatalogReplicationQueue::task).toList();
    }

    private static ReplicationTask task(ReplicationJob j) {
        return new ReplicationTask(j.object(), j.replica(), j.attempts(), j.notBefore(), j.lastError());
    }

    /** Frees this worker's claims; if the catalog cannot be reached, they lapse with their lease. */
    @Override
    public void close() {
        try {
            jobs.release(scope, owner);
        } catch (LodeException e) {
            log.warn(
                    "cannot free replication claims of {} in {}; they lapse with their lease: {}",
                    owner,
                    scope,
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "CatalogReplicationQueue[" + scope + " as " + owner + "]";
    }
}
