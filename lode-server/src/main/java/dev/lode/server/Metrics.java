package dev.lode.server;

import dev.lode.catalog.TenantUsage;
import dev.lode.core.StoreStats;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Counters exposed at {@code /metrics} in the Prometheus text format (version 0.0.4). Plain
 * {@link LongAdder}s rather than Micrometer: the hot path increments two counters per request and
 * the exposition is a dozen lines, so a registry would add weight without adding anything.
 */
final class Metrics {
    private final ConcurrentHashMap<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder stagingFetches = new LongAdder();
    private final LongAdder stagingFailures = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();

    void request(int status) {
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void bytesOut(long n) {
        bytesOut.add(n);
    }

    void bytesIn(long n) {
        bytesIn.add(n);
    }

    void stagingFetch() {
        stagingFetches.increment();
    }

    void stagingFailure() {
        stagingFailures.increment();
    }

    long stagingFetches() {
        return stagingFetches.sum();
    }

    /** Renders every metric; {@code store} is null when the store's totals are not cheap to get. */
    String render(List<TenantUsage> usage, Supplier<StoreStats> store, int plugins) {
        StringBuilder sb = new StringBuilder(1024);
        sb.append("# HELP lode_http_requests_total HTTP requests answered, by status code.\n");
        sb.append("# TYPE lode_http_requests_total counter\n");
        byStatus.entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> sb.append("lode_http_requests_total{code=\"")
                        .append(e.getKey())
                        .append("\"} ")
                        .append(e.getValue().sum())
                        .append('\n'));
        counter(sb, "lode_http_response_body_bytes_total", "Response body bytes sent.", bytesOut.sum());
        counter(sb, "lode_http_request_body_bytes_total", "Request body bytes received.", bytesIn.sum());
        counter(sb, "lode_staging_fetches_total", "Fetches from the staging source.", stagingFetches.sum());
        counter(sb, "lode_staging_failures_total", "Failed fetches from the staging source.", stagingFailures.sum());
        if (store != null) { // a remote store would be listed whole on every scrape: left out
            StoreStats s = store.get();
            gauge(sb, "lode_store_objects", "Objects in the store.", s.objects());
            gauge(sb, "lode_store_bytes", "Bytes in the store.", s.bytes());
        }
        gauge(sb, "lode_plugins", "Plugins being served.", plugins);
        sb.append("# HELP lode_tenant_logical_bytes Bytes uploaded by a tenant, before dedup.\n");
        sb.append("# TYPE lode_tenant_logical_bytes gauge\n");
        for (TenantUsage u : usage) {
            sb.append("lode_tenant_logical_bytes{tenant=\"")
                    .append(u.tenant())
                    .append("\"} ")
                    .append(u.logicalBytes())
                    .append('\n');
        }
        sb.append("# HELP lode_tenant_stored_bytes Bytes a tenant's artifacts occupy after dedup.\n");
        sb.append("# TYPE lode_tenant_stored_bytes gauge\n");
        for (TenantUsage u : usage) {
            sb.append("lode_tenant_stored_bytes{tenant=\"")
                    .append(u.tenant())
                    .append("\"} ")
                    .append(u.storedBytes())
                    .append('\n');
        }
        tenantGauge(
                sb, "lode_tenant_objects", "Distinct objects a tenant's artifacts use.", usage, TenantUsage::objects);
        tenantGauge(sb, "lode_tenant_assets", "Artifacts a tenant stores.", usage, TenantUsage::assets);
        sb.append("# HELP lode_tenant_served_bytes_total Response body bytes sent for a tenant's artifacts,"
                + " summed over the servers sharing the catalog.\n");
        sb.append("# TYPE lode_tenant_served_bytes_total counter\n");
        for (TenantUsage u : usage) {
            sb.append("lode_tenant_served_bytes_total{tenant=\"")
                    .append(u.tenant())
                    .append("\"} ")
                    .append(u.bytesServed())
                    .append('\n');
        }
        return sb.toString();
    }

    private static void tenantGauge(
            StringBuilder sb,
            String name,
            String help,
            List<TenantUsage> usage,
            java.util.function.ToLongFunction<TenantUsage> value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        for (TenantUsage u : usage) {
            sb.append(name)
                    .append("{tenant=\"")
                    .append(u.tenant())
                    .append("\"} ")
                    .append(value.applyAsLong(u))
                    .append('\n');
        }
    }

    private static void counter(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, long v) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name).append(' ').append(v).append('\n');
    }
}
