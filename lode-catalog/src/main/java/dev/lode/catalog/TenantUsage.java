package dev.lode.catalog;

/**
 * How much a tenant stores.
 *
 * @param tenant the tenant
 * @param assets number of artifacts
 * @param logicalBytes the sum of the artifacts' sizes (before dedup)
 * @param storedBytes the sum over distinct objects (after dedup within the tenant)
 */
public record TenantUsage(String tenant, long assets, long logicalBytes, long storedBytes) {}
