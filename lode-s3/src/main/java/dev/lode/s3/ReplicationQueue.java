package dev.lode.s3;

import dev.lode.core.ObjectId;
import java.time.Instant;
import java.util.List;

/**
 * The durable to-do list of {@link ReplicatedObjectStore}: which objects still have to be copied to
 * which replica. An implementation must keep every task across a restart until {@link #complete}
 * removes it, so that no write is ever left unreplicated. Several workers (servers) may share one
 * queue: {@link #claim} hands each due task to one of them at a time. The implementation is
 * {@link CatalogReplicationQueue}, on the catalog's database.
 */
public interface ReplicationQueue extends AutoCloseable {
    /** Adds a task, due at once; a task for the same object and replica already queued is kept. */
    void enqueue(ObjectId object, String replica);

    /**
     * Claims up to {@code limit} tasks due at {@code now} for this worker, oldest first; no other
     * worker gets them until this one completes or reschedules them, or its claim lapses.
     */
    List<ReplicationTask> claim(Instant now, int limit);

    /** Removes a claimed task that succeeded. */
    void complete(ReplicationTask task);

    /** Records a failed attempt of a claimed task and when to try again; frees the task. */
    void retryLater(ReplicationTask task, Instant notBefore, String error);

    /** Tasks queued, due or not. */
    long size();

    /** All tasks queued, oldest first (for status and tests). */
    List<ReplicationTask> pending();

    /** Frees this worker's claims; the queue's contents stay. */
    @Override
    void close();
}
