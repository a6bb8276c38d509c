package dev.lode.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantUsage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lode usage}: per-tenant storage and bytes served, from the catalog. */
@Command(
        name = "usage",
        mixinStandardHelpOptions = true,
        description = {
            "Per-tenant usage from the catalog: artifacts, logical bytes (before dedup), stored bytes (after"
                    + " dedup), distinct objects and response bytes served.",
            "Bytes served are what running servers have flushed (every 10 s and on shutdown)."
        })
final class UsageCommand implements Callable<Integer> {
    @Mixin
    StoreOptions data;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant.")
    String tenant;

    @Option(names = "--json", description = "Print JSON (an array of objects, one per tenant).")
    boolean json;

    @Override
    public Integer call() {
        List<TenantUsage> usage;
        try (Catalog c = data.openCatalog()) {
            usage = c.tenantAssets().usage();
        }
        if (tenant != null) {
            usage = usage.stream().filter(u -> u.tenant().equals(tenant)).toList();
            if (usage.isEmpty()) {
                throw new CliException("no tenant '" + tenant + "'");
            }
        }
        if (json) {
            List<Map<String, Object>> rows = usage.stream()
                    .map(u -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("tenant", u.tenant());
                        m.put("assets", u.assets());
                        m.put("objects", u.objects());
                        m.put("logicalBytes", u.logicalBytes());
                        m.put("storedBytes", u.storedBytes());
                        m.put("bytesServed", u.bytesServed());
                        return m;
                    })
                    .toList();
            try {
                System.out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(rows));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render usage as JSON", e);
            }
            return 0;
        }
        String format = "%-24s %8s %8s %12s %12s %12s%n";
        System.out.printf(format, "TENANT", "ASSETS", "OBJECTS", "LOGICAL", "STORED", "SERVED");
        for (TenantUsage u : usage) {
            System.out.printf(
                    format,
                    u.tenant(),
                    u.assets(),
                    u.objects(),
                    Units.bytes(u.logicalBytes()),
                    Units.bytes(u.storedBytes()),
                    Units.bytes(u.bytesServed()));
        }
        return 0;
    }
}
