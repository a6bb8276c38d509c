package dev.lode.s3;

import dev.lode.catalog.Catalog;
import dev.lode.core.ObjectStores;
import dev.lode.core.Quietly;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary bucket whose writes are copied to one or more replica buckets (seed 003 US9), as
 * {@link ObjectStores}: the server's store and each tenant's store is a {@link
 * ReplicatedObjectStore} over the same prefix in every bucket, with its own queue scope ({@code
 * _server} or the tenant id) in the catalog's replication table. Several servers on one catalog
 * share the queue; a restarted server resumes every scope that still has copies queued. Reads fall
 * back to the replicas while the primary fails.
 *
 * <p>Closing stops the workers and frees their claims, then closes the buckets' clients.
 */
public final class ReplicatedStores implements ObjectStores {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStores.class);
    private static final String SERVER_SCOPE = S3Stores.SERVER_SEGMENT;

    private final S3Stores primary;
    private final Map<String, S3Stores> replicas;
    private final Catalog catalog;
    private final ConcurrentHashMap<String, ReplicatedObjectStore> scopes = new ConcurrentHashMap<>();

    private ReplicatedStores(S3Stores primary, Map<String, S3Stores> replicas, Catalog catalog) {
        this.primary = primary;
        this.replicas = Map.copyOf(replicas);
        this.catalog = catalog;
    }

    /**
     * Replicates {@code primary} into {@code replicas} (name → bucket; the name is what the queue
     * records), queueing copies in {@code catalog}. Resumes the copies already queued. The stores'
     * clients are closed with this; the catalog stays the caller's.
     */
    public static ReplicatedStores open(S3Stores primary, Map<String, S3Stores> replicas, Catalog catalog) {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(catalog, "catalog");
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("no replica given");
        }
        ReplicatedStores stores = new ReplicatedStores(primary, new LinkedHashMap<>(replicas), catalog);
        for (String scope : catalog.replication().scopes()) {
            stores.scope(scope); // starts its worker, which drains what an earlier run left queued
        }
        return stores;
    }

    @Override
    public ReplicatedObjectStore shared() {
        return scope(SERVER_SCOPE);
    }

    @Override
    public ReplicatedObjectStore tenant(String tenant) {
        S3Stores.checkTenant(tenant);
        return scope(tenant);
    }

    private ReplicatedObjectStore scope(String scope) {
        return scopes.computeIfAbsent(scope, s -> {
            boolean server = s.equals(SERVER_SCOPE);
            ReplicatedObjectStore.Builder b =
                    ReplicatedObjectStore.builder(server ? primary.shared() : primary.forTenant(s));
            replicas.forEach((name, r) -> b.replica(name, server ? r.shared() : r.forTenant(s)));
            return b.queue(CatalogReplicationQueue.open(catalog, s)).build();
        });
    }

    /** False: every tenant has its own key prefix. */
    @Override
    public boolean isSingle() {
        return false;
    }

    /** Copies still queued, over every scope. */
    public long pending() {
        return catalog.replication().scopes().stream()
                .mapToLong(s -> catalog.replication().size(s))
                .sum();
    }

    /** Waits until no copy is queued in any scope this process has opened, or {@code timeout} passes. */
    public boolean awaitReplicated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ReplicatedObjectStore s : scopes.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !s.awaitReplicated(Duration.ofNanos(left))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int abortIncompleteUploads(Duration olderThan) {
        int n = primary.abortIncompleteUploads(olderThan);
        for (var e : replicas.entrySet()) {
            try {
                n += e.getValue().abortIncompleteUploads(olderThan);
            } catch (RuntimeException ex) {
                LOG.warn("cannot abort stale multipart uploads in replica {}: {}", e.getKey(), ex.toString());
            }
        }
        return n;
    }

    @Override
    public void close() {
        scopes.values().forEach(Quietly::close);
        replicas.values().forEach(Quietly::close);
        primary.close();
    }

    @Override
    public String toString() {
        return "ReplicatedStores[" + primary + " -> " + replicas.keySet() + "]";
    }
}
