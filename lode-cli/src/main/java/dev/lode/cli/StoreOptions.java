package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import java.net.URI;
import java.nio.file.Path;
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

    /** Opens the object stores in effect; the caller closes them. */
    public ObjectStores openStores() {
        if (!isS3()) {
            if (s3Endpoint != null || s3Region != null || s3PathStyle || s3CreateBucket) {
                throw new CliException("--s3-* options need --store s3://BUCKET", 2);
            }
            Path dir = store != null ? Path.of(store) : data.dataDir().resolve("store");
            return ObjectStores.single(LocalObjectStore.open(dir));
        }
        S3Stores stores = S3Stores.open(s3Settings(store));
        try {
            if (s3CreateBucket) {
                stores.createBucketIfMissing();
            } else {
                stores.requireBucket();
            }
            return stores;
        } catch (RuntimeException e) {
            stores.close();
            throw e;
        }
    }

    /** A description of the store for logs. */
    String describeStore() {
        if (isS3()) {
            return store + (s3Endpoint != null ? " at " + s3Endpoint : "");
        }
        return store != null ? store : data.dataDir().resolve("store").toString();
    }

    S3Settings s3Settings(String url) {
        String rest = url.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        if (bucket.isEmpty()) {
            throw new CliException("no bucket in " + url + " (expected s3://BUCKET[/PREFIX])", 2);
        }
        String region = s3Region;
        if (region == null) {
            String env = System.getenv("AWS_REGION");
            region = env == null || env.isBlank() ? "us-east-1" : env;
        }
        S3Settings.Builder b;
        try {
            b = S3Settings.builder(bucket).region(region).pathStyle(s3PathStyle);
            if (!prefix.isEmpty()) {
                b.prefix(prefix);
            }
            if (s3Endpoint != null) {
                b.endpoint(s3Endpoint);
            }
            b.spoolDir(data.dataDir().resolve("tmp"));
        } catch (IllegalArgumentException e) {
            throw new CliException("bad --store " + url + ": " + e.getMessage(), 2);
        }
        return b.build();
    }
}
