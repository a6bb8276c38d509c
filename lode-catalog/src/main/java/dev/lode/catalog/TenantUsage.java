package dev.lode.catalog;

/**
 * How much a tenant stores and serves.
 *
 * @param tenant the tenant
 * @param assets number of artifacts
 * @param logicalBytes the sum of the artifacts' sizes (before dedup)
 * @param storedBytes the sum over distinct objects (after dedup within the tenant)
 * @param objects number of distinct objects the artifacts use
 * @param bytesServed response body bytes sent for the tenant's artifacts, as flushed to the catalog
 *     by every server sharing it
 */
public record TenantUsage(
        String tenant, long assets, long logicalBytes, long storedBytes, long objects, long bytesServed) {}
