package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.time.Instant;

/**
 * An object garbage collection keeps although no asset names it (with everything it references:
 * a manifest keeps its entries), such as a tree stored by {@code lode ingest}.
 *
 * @param objectId the object, in the server's own store
 * @param note why it is kept (for people)
 * @param createdAt when it was pinned
 */
public record GcRoot(ObjectId objectId, String note, Instant createdAt) {}
