package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.server.Durations;
import dev.lode.server.Presigner;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lode presign TENANT RUN/TYPE/FILE}: prints a presigned GET URL. */
@Command(
        name = "presign",
        mixinStandardHelpOptions = true,
        description = "Print a presigned URL that reads one private tenant artifact until it expires.")
final class PresignCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TENANT")
    String tenant;

    @Parameters(index = "1", paramLabel = "RUN/TYPE/FILE")
    String path;

    @Option(
            names = "--expires",
            paramLabel = "DURATION",
            description = "Lifetime (default ${DEFAULT-VALUE}, at most 7d).")
    String expires = "1h";

    @Option(names = "--base", paramLabel = "URL", description = "Server base URL (default ${DEFAULT-VALUE}).")
    String base = "http://localhost:37015";

    @Mixin
    DataOptions data;

    @Override
    public Integer call() {
        TenantAssetKey key = TenantAssetKey.parse(tenant, path);
        try (Catalog c = data.openCatalog()) {
            byte[] secret = c.tenants()
                    .signingSecret(tenant)
                    .orElseThrow(() -> new CliException("no tenant named '" + tenant + "'"));
            System.out.println(Presigner.url(secret, base, key.path(), Durations.parse(expires), Instant.now()));
            return 0;
        }
    }
}
