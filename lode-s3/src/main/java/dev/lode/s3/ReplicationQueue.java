package dev.lode.s3;

import dev.lode.core.ObjectId;
import java.time.Instant;
import java.util.List;

/**
 * The durable to-do list of {@link ReplicatedObjectStore}: which objects still have to be copied to
 * which replica. An implementation must keep every task across a restart until {@link #complete}
 * removes it, so that no write is ever left unreplicated.
 */
public interface ReplicationQueue extends AutoCloseable {
    /** Adds a task, due at once; a task for the same object and replica already queued is kept. */
    void enqueue(ObjectId object, String replica);

    /** Up to {@code limit} tasks due at {@code now}, oldest first. */
    List<ReplicationTask> due(Instant now, int limit);

    /** Removes a task that succeeded. */
    void complete(ReplicationTask task);

    /** Records a failed attempt and when to try again. */
    void retryLater(ReplicationTask task, Instant notBefore, String error);

    /** Tasks queued, due or not. */
    long size();

    /** All tasks queued, oldest first (for status and tests). */
    List<ReplicationTask> pending();

    @Override
    void close();
}
