package dev.lode.catalog;

import java.time.Instant;

/**
 * A tenant's run: the artifacts stored under {@code /t/{tenant}/{run}/}.
 *
 * @param tenant the tenant
 * @param run the run id
 * @param assets number of artifacts
 * @param bytes the sum of their sizes
 * @param newest when the newest of them was stored
 */
public record RunSummary(String tenant, String run, long assets, long bytes, Instant newest) {}
