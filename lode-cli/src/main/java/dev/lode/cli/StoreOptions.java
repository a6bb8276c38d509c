package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.core.Quietly;
import dev.lode.s3.ReplicatedStores;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where objects and the catalog live, shared by {@code serve}, {@code ingest}, {@code gc}, {@code
 * usage} and {@code tenant}: a local folder and a SQLite file by default, or an S3-compatible
 * bucket and a PostgreSQL database for several stateless servers.
 */
public final class StoreOptions {
    @Mixin
    DataOptions data;

    @Option(
            names = "--store",
            paramLabel = "DIR|s3://BUCKET[/PREFIX]",
            description = "Object store: a folder, or an S3-compatible bucket (credentials from the AWS default"
                    + " chain, e.g. AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Default: DATA/store.")
    String store;

    @Option(
            names = "--s3-endpoint",
            paramLabel = "URL",
            description = "S3 API endpoint (MinIO, Ceph, R2, s3proxy); default: AWS for the region.")
    URI s3Endpoint;

    @Option(
            names = "--s3-region",
            paramLabel = "REGION",
            description = "S3 region (default: $AWS_REGION, else us-east-1).")
    String s3Region;

    @Option(
            names = "--s3-path-style",
            description = "Address the bucket as ENDPOINT/BUCKET instead of BUCKET.ENDPOINT (MinIO, s3proxy).")
    boolean s3PathStyle;

    @Option(
            names = "--s3-create-bucket",
            description = "Create the bucket if it does not exist (otherwise a missing bucket is an error).")
    boolean s3CreateBucket;

    @Option(
            names = "--replica",
            paramLabel = "s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true]",
            description = "Copy every write to this further bucket, asynchronously through a queue in the catalog;"
                    + " reads fall back to it while the store fails. Repeatable. Endpoint, region and path style"
                    + " default to the store's; credentials come from the same AWS default chain.")
    List<String> replicas = new ArrayList<>();

    /** The data folder in effect (temporary files, upload parts, the default store and catalog). */
    public Path dataDir() {
        return data.dataDir();
    }

    /** Opens (creating and migrating) the catalog in effect. */
    public Catalog openCatalog() {
        return data.openCatalog();
    }

    /** The catalog in effect for logs, without its password. */
    String describeCatalog() {
        return data.describeCatalog();
    }

    /** Whether the store is an S3 bucket. */
    boolean isS3() {
        return store != null && store.startsWith("s3://");
    }

    /**
     * Opens the object stores in effect; the caller closes them. {@code catalog} holds the
     * replication queue when replicas are given.
     */
    public ObjectStores openStores(Catalog catalog) {
        if (!isS3()) {
            if (s3Endpoint != null || s3Region != null || s3PathStyle || s3CreateBucket || !replicas.isEmpty()) {
                throw new CliException("--s3-* and --replica options need --store s3://BUCKET", 2);
            }
            Path dir = store != null ? Path.of(store) : data.dataDir().resolve("store");
            return ObjectStores.single(LocalObjectStore.open(dir));
        }
        List<S3Stores> opened = new ArrayList<>();
        try {
            S3Stores primary = openBucket(s3Settings(store, s3Endpoint, s3Region, s3PathStyle), opened);
            if (replicas.isEmpty()) {
                return primary;
            }
            Map<String, S3Stores> byName = new LinkedHashMap<>();
            for (String r : replicas) {
                Replica spec = Replica.parse(r);
                if (byName.containsKey(spec.name())) {
                    throw new CliException("--replica " + spec.name() + " given twice", 2);
                }
                S3Settings settings = s3Settings(
                        spec.url(),
                        spec.endpoint() != null ? spec.endpoint() : s3Endpoint,
                        spec.region() != null ? spec.region() : s3Region,
                        spec.pathStyle() != null ? spec.pathStyle() : s3PathStyle);
                byName.put(spec.name(), openBucket(settings, opened));
            }
            return ReplicatedStores.open(primary, byName, catalog);
        } catch (RuntimeException e) {
            opened.forEach(Quietly::close);
            throw e;
        }
    }

    private S3Stores openBucket(S3Settings settings, List<S3Stores> opened) {
        S3Stores stores = S3Stores.open(settings);
        opened.add(stores);
        if (s3CreateBucket) {
            stores.createBucketIfMissing();
        } else {
            stores.requireBucket();
        }
        return stores;
    }

    /** One {@code --replica} value: the bucket URL and its own connection settings, if any. */
    record Replica(String name, String url, URI endpoint, String region, Boolean pathStyle) {
        static Replica parse(String spec) {
            if (!spec.startsWith("s3://")) {
                throw new CliException(
                        "--replica must be s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=true]," + " got "
                                + spec,
                        2);
            }
            int q = spec.indexOf('?');
            String url = q < 0 ? spec : spec.substring(0, q);
            URI endpoint = null;
            String region = null;
            Boolean pathStyle = null;
            if (q >= 0) {
                for (String kv : spec.substring(q + 1).split("&")) {
                    int eq = kv.indexOf('=');
                    String k = eq < 0 ? kv : kv.substring(0, eq);
                    String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    switch (k) {
                        case "endpoint" -> endpoint = URI.create(v);
                        case "region" -> region = v;
                        case "path-style" -> pathStyle = v.isEmpty() || Boolean.parseBoolean(v);
                        default ->
                            throw new CliException(
                                    "unknown --replica setting '" + k + "' in " + spec
                                            + " (endpoint, region, path-style)",
                                    2);
                    }
                }
            }
            return new Replica(url, url, endpoint, region, pathStyle);
        }
    }

    /** A description of the store for logs. */
    String describeStore() {
        if (isS3()) {
            return store
                    + (s3Endpoint != null ? " at " + s3Endpoint : "")
                    + (replicas.isEmpty()
                            ? ""
                            : ", replicated to "
                                    + String.join(
                                            ", ",
                                            replicas.stream()
                                                    .map(r -> Replica.parse(r).name())
                                                    .toList()));
        }
        return store != null ? store : data.dataDir().resolve("store").toString();
    }

    S3Settings s3Settings(String url, URI endpoint, String regionGiven, boolean pathStyle) {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (bucket.isEmpty()) {
            throw new CliException("no bucket in " + url + " (expected s3://BUCKET[/PREFIX])", 2);
        }
        String region = regionGiven;
        if (region == null) {
            String env = System.getenv("AWS_REGION");
            region = env == null || env.isBlank() ? "us-east-1" : env;
        }
        S3Settings.Builder b;
        try {
            b = S3Settings.builder(bucket).region(region).pathStyle(pathStyle);
            if (!prefix.isEmpty()) {
                b.prefix(prefix);
            }
            if (endpoint != null) {
                b.endpoint(endpoint);
            }
            b.spoolDir(data.dataDir().resolve("tmp"));
        } catch (IllegalArgumentException e) {
            throw new CliException("bad --store " + url + ": " + e.getMessage(), 2);
        }
        return b.build();
    }
}
