package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.core.DirectUrls;
import dev.lode.core.ObjectStores;
import dev.lode.server.Durations;
import dev.lode.server.Presigner;
import java.time.Duration;
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
        description = {
            "Print a presigned URL that reads one private tenant artifact until it expires.",
            "By default a lode URL (HMAC, checked by lode serve); with --direct and --store s3://..., a",
            "SigV4 URL of the bucket itself, for the artifact's object under the tenant's prefix."
        })
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

    @Option(names = "--direct", description = "Sign a URL of the S3 bucket itself (needs --store s3://...).")
    boolean direct;

    @Mixin
    StoreOptions storage;

    @Override
    public Integer call() {
        TenantAssetKey key = TenantAssetKey.parse(tenant, path);
        Duration ttl = Durations.parse(expires);
        if (direct && !storage.isS3()) {
            throw new CliException("--direct needs --store s3://BUCKET (a local store has no URLs of its own)", 2);
        }
        try (Catalog c = storage.openCatalog()) {
            byte[] secret = c.tenants()
                    .signingSecret(tenant)
                    .orElseThrow(() -> new CliException("no tenant named '" + tenant + "'"));
            if (!direct) {
                System.out.println(Presigner.url(secret, base, key.path(), ttl, Instant.now()));
                return 0;
            }
            TenantAsset asset = c.tenantAssets()
                    .find(key)
                    .orElseThrow(() -> new CliException("tenant " + tenant + " has no artifact " + path));
            try (ObjectStores stores = storage.openStores(c)) {
                DirectUrls urls = (DirectUrls) stores.tenant(tenant);
                System.out.println(urls.presignGet(asset.objectId(), ttl));
            }
            return 0;
        }
    }
}
