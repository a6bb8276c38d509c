package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.util.Optional;

/**
 * One catalog row that keeps an object alive: a logical asset (no tenant), a tenant's artifact or
 * an active upload.
 *
 * @param tenant the tenant whose store holds the object, or null for the server's own store
 * @param run the run of a tenant artifact, else null
 * @param objectId the object
 * @param mediaType its media type ({@code application/octet-stream} when unknown)
 */
public record ObjectUse(String tenant, String run, ObjectId objectId, String mediaType) {
    /** The tenant, if the object is a tenant's. */
    public Optional<String> owner() {
        return Optional.ofNullable(tenant);
    }
}
