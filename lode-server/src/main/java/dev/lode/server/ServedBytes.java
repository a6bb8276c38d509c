package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Response bytes sent for each tenant's artifacts (full and ranged {@code GET}s), counted in memory
 * on the hot path and added to the catalog's totals by {@link #flush()} (every few seconds and on
 * shutdown), so {@code lode usage} and other servers sharing the catalog see them. A failed flush
 * puts its counts back and the next one retries.
 */
final class ServedBytes {
    private static final Logger LOG = LoggerFactory.getLogger(ServedBytes.class);

    private final Catalog catalog;
    private final ConcurrentHashMap<String, AtomicLong> unflushed = new ConcurrentHashMap<>();
    /** Held while counts move from memory to the catalog, so a reader never sees them twice. */
    private final ReentrantLock moving = new ReentrantLock();

    ServedBytes(Catalog catalog) {
        this.catalog = catalog;
    }

    void add(String tenant, long bytes) {
        if (bytes > 0) {
            unflushed.computeIfAbsent(tenant, t -> new AtomicLong()).addAndGet(bytes);
        }
    }

    /** Adds the counts so far to the catalog; returns the bytes flushed. */
    long flush() {
        moving.lock();
        try {
            Map<String, Long> batch = new HashMap<>();
            unflushed.forEach((tenant, n) -> {
                long v = n.getAndSet(0);
                if (v > 0) {
                    batch.put(tenant, v);
                }
            });
            if (batch.isEmpty()) {
                return 0;
            }
            try {
                catalog.lifecycle().addBytesServed(batch);
            } catch (RuntimeException e) {
                batch.forEach(this::add);
                LOG.warn("cannot record bytes served in the catalog (will retry): {}", e.getMessage());
                return 0;
            }
            return batch.values().stream().mapToLong(Long::longValue).sum();
        } finally {
            moving.unlock();
        }
    }

    /** The catalog's usage with this server's unflushed bytes added. */
    List<TenantUsage> usage() {
        moving.lock();
        try {
            List<TenantUsage> out = new ArrayList<>();
            for (TenantUsage u : catalog.tenantAssets().usage()) {
                AtomicLong extra = unflushed.get(u.tenant());
                long served = u.bytesServed() + (extra == null ? 0 : extra.get());
                out.add(new TenantUsage(
                        u.tenant(), u.assets(), u.logicalBytes(), u.storedBytes(), u.objects(), served));
            }
            return out;
        } finally {
            moving.unlock();
        }
    }
}
