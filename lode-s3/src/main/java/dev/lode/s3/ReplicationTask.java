package dev.lode.s3;

import dev.lode.core.ObjectId;
import java.time.Instant;
import java.util.Objects;

/**
 * One pending copy of an object to a replica.
 *
 * @param object the object to copy
 * @param replica the name of the replica to copy it to
 * @param attempts failed attempts so far
 * @param notBefore the task is not tried again before this time
 * @param lastError the last failure's message, or null
 */
public record ReplicationTask(ObjectId object, String replica, int attempts, Instant notBefore, String lastError) {
    public ReplicationTask {
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(notBefore, "notBefore");
    }
}
