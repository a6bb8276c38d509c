package dev.lode.catalog;

import dev.lode.core.ObjectId;
import java.time.Instant;

/**
 * A tenant's artifact at {@code /t/{tenant}/{run}/{type}/{filename}}.
 *
 * @param key where it is
 * @param objectId the object holding its bytes
 * @param size bytes
 * @param mediaType its {@code Content-Type}
 * @param isPublic readable without a key or signature
 * @param createdAt when it was stored
 */
public record TenantAsset(
        TenantAssetKey key, ObjectId objectId, long size, String mediaType, boolean isPublic, Instant createdAt) {}
