package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.time.Instant;

/**
 * A logical asset: an id chosen by its owner mapped to the object holding its current bytes.
 *
 * @param id the logical id, as in {@code /assets/{id}}
 * @param objectId the object with the current bytes
 * @param size bytes
 * @param mediaType the {@code Content-Type} to serve
 * @param createdAt first stored
 * @param updatedAt last replaced
 */
public record AssetRecord(
        String id, ObjectId objectId, long size, String mediaType, Instant createdAt, Instant updatedAt) {}
