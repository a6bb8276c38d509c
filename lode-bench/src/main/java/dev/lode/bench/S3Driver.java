package dev.lode.bench;

import dev.lode.catalog.ArtifactType;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import dev.lode.core.StoredObject;
import dev.lode.s3.S3ObjectStore;
import dev.lode.s3.S3ProxyServer;
import dev.lode.s3.S3Settings;
import dev.lode.s3.S3Stores;
import dev.lode.testing.PostgresServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * The Java side of {@code bench/run s3}. Everything runs in this one JVM against one embedded
 * s3proxy on loopback, so lode and its peer share the same server, disk and cores.
 *
 * <pre>
 *   upload WORK MB ROUNDS [C] lode-s3 putFile vs S3TransferManager uploadFile of one MB-megabyte
 *                             file (best of ROUNDS, alternating order), both with 16 MiB parts and
 *                             C parts in flight (default 8): lode's uploadConcurrency, the
 *                             TransferManager client's HTTP maxConcurrency (its Java multipart
 *                             client sends as many parts at once as the HTTP client allows). Then
 *                             lode's dedup re-uploads: the same file again in the same process
 *                             (its hash remembered while the file is unchanged), the same file
 *                             through a fresh S3Stores (hashed again), and a stream whose hash the
 *                             caller knows (putVerified)
 *   catalog WORK N LOOKUPS    N tenant assets, each with 1-3 tags from a vocabulary of
 *                             TAG_VOCABULARY.length, into the catalog on SQLite and PostgreSQL, then
 *                             LOOKUPS random lookups by logical name, by content hash and by tag
 *                             (the first page of TAG_PAGE assets, in path order)
 * </pre>
 *
 * Prints table rows and one {@code key=value} line per part for the script's RESULT line.
 */
public final class S3Driver {
    private static final long MIB = 1024 * 1024;
    private static final long PART = 16 * MIB;

    private S3Driver() {}

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "upload" ->
                upload(
                        Path.of(args[1]),
                        Long.parseLong(args[2]),
                        Integer.parseInt(args[3]),
                        args.length > 4 ? Integer.parseInt(args[4]) : 8);
            case "catalog" -> catalog(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: S3Driver upload WORK MB ROUNDS [CONCURRENCY] | catalog WORK N LOOKUPS");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- upload

    static void upload(Path work, long mb, int rounds, int concurrency) throws Exception {
        Path file = work.resolve("upload-" + mb + "m.bin");
        if (!Files.exists(file) || Files.size(file) != mb * MIB) {
            System.err.println("writing " + mb + " MB of random bytes to " + file + " (once)");
            writeRandom(file, mb * MIB);
        }
        Path data = work.resolve("s3proxy");
        deleteTree(data);
        try (S3ProxyServer server = S3ProxyServer.startIgnoringUnknownHeaders(data);
                S3Stores stores = S3Stores.open(server.settings("lode")
                        .partSize(PART)
                        .uploadConcurrency(concurrency)
                        .build());
                S3AsyncClient async = S3AsyncClient.builder()
                        .region(Region.US_EAST_1)
                        .endpointOverride(server.endpoint())
                        .forcePathStyle(true)
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                        .multipartEnabled(true)
                        .multipartConfiguration(
                                c -> c.minimumPartSizeInBytes(PART).thresholdInBytes(5 * MIB))
                        .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                                .maxConcurrency(concurrency)
                                // parts wait for a connection rather than fail while others are sent
                                .connectionAcquisitionTimeout(Duration.ofMinutes(5)))
                        .build();
                S3TransferManager tm =
                        S3TransferManager.builder().s3Client(async).build();
                S3Client plain = S3Client.builder()
                        .region(Region.US_EAST_1)
                        .endpointOverride(server.endpoint())
                        .forcePathStyle(true)
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
                        .build()) {
            stores.createBucketIfMissing();
            plain.createBucket(b -> b.bucket("peer"));
            S3ObjectStore store = stores.forTenant("bench");
            S3Settings s = stores.settings();
            System.out.printf(
                    Locale.ROOT,
                    "file %d MB, part size %d MiB, %d parts in flight for both (lode uploadConcurrency,"
                            + " TM HTTP maxConcurrency); TM checksums: SDK default%n",
                    mb,
                    PART / MIB,
                    s.uploadConcurrency());

            double[] lode = new double[rounds];
            double[] peer = new double[rounds];
            double[] dedup = new double[rounds];
            double[] cold = new double[rounds];
            double[] known = new double[rounds];
            ObjectId id = null;
            for (int r = 0; r < rounds; r++) {
                boolean lodeFirst = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == lodeFirst) {
                        // A fresh S3Stores each round: its file hash cache is empty, so the first
                        // upload always reads and hashes the file.
                        StoredObject put;
                        try (S3Stores round = S3Stores.open(s)) {
                            S3ObjectStore roundStore = round.forTenant("bench");
                            long t0 = System.nanoTime();
                            put = roundStore.putFile(file);
                            lode[r] = seconds(t0);
                            check(put.created(), "first lode upload of round " + r + " was not created");
                            long t1 = System.nanoTime();
                            StoredObject again = roundStore.putFile(file);
                            dedup[r] = seconds(t1);
                            check(!again.created(), "dedup upload transferred bytes");
                        }
                        id = put.id();
                        try (S3Stores fresh = S3Stores.open(s)) {
                            long tc = System.nanoTime();
                            StoredObject coldAgain = fresh.forTenant("bench").putFile(file);
                            cold[r] = seconds(tc);
                            check(!coldAgain.created(), "dedup upload (fresh store) transferred bytes");
                        }
                        ObjectId held = put.id();
                        long t2 = System.nanoTime();
                        try (var in = Files.newInputStream(file)) {
                            check(!store.putVerified(in, held).created(), "known-hash upload transferred bytes");
                        }
                        known[r] = seconds(t2);
                    } else {
                        long t0 = System.nanoTime();
                        tm.uploadFile(u -> u.putObjectRequest(
                                                p -> p.bucket("peer").key("big"))
                                        .source(file))
                                .completionFuture()
                                .join();
                        peer[r] = seconds(t0);
                    }
                }
                System.out.printf(
                        Locale.ROOT,
                        "round %d: lode %.2f s, S3TransferManager %.2f s, lode dedup %.3f s (fresh store %.3f s)%n",
                        r + 1,
                        lode[r],
                        peer[r],
                        dedup[r],
                        cold[r]);
                // start the next round from an empty bucket
                store.delete(id);
                store.forEach(store::delete);
                plain.deleteObject(b -> b.bucket("peer").key("big"));
            }
            double bestLode = Arrays.stream(lode).min().orElseThrow();
            double bestPeer = Arrays.stream(peer).min().orElseThrow();
            double bestDedup = Arrays.stream(dedup).min().orElseThrow();
            double bestKnown = Arrays.stream(known).min().orElseThrow();
            double bestCold = Arrays.stream(cold).min().orElseThrow();
            double mbps = mb * MIB / 1e6;
            System.out.println();
            System.out.printf(Locale.ROOT, "%-34s %10s %10s%n", "upload (best of " + rounds + ")", "seconds", "MB/s");
            System.out.printf(
                    Locale.ROOT, "%-34s %10.2f %10.0f%n", "lode putFile (hash + upload)", bestLode, mbps / bestLode);
            System.out.printf(
                    Locale.ROOT, "%-34s %10.2f %10.0f%n", "S3TransferManager uploadFile", bestPeer, mbps / bestPeer);
            System.out.printf(Locale.ROOT, "%-34s %10.3f %10s%n", "lode re-upload, same file (dedup)", bestDedup, "-");
            System.out.printf(Locale.ROOT, "%-34s %10.3f %10s%n", "  same, fresh store (hashed again)", bestCold, "-");
            System.out.printf(Locale.ROOT, "%-34s %10.4f %10s%n", "  same, hash known (putVerified)", bestKnown, "-");
            System.out.printf(
                    Locale.ROOT,
                    "upload_ratio=%.2f dedup_pct=%.1f dedup_rehash_pct=%.1f dedup_known_hash_pct=%.2f%n",
                    bestLode / bestPeer,
                    100 * bestDedup / bestLode,
                    100 * bestCold / bestLode,
                    100 * bestKnown / bestLode);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Files.createDirectories(file.getParent());
        SplittableRandom random = new SplittableRandom(2026);
        byte[] block = new byte[(int) MIB];
        ByteBuffer longs = ByteBuffer.wrap(block);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; done += block.length) {
                longs.clear();
                while (longs.remaining() >= 8) {
                    longs.putLong(random.nextLong());
                }
                out.write(block, 0, (int) Math.min(block.length, size - done));
            }
        }
    }

    // ---------------------------------------------------------------- catalog

    static void catalog(Path work, int n, int lookups) throws Exception {
        Path db = work.resolve("catalog.db");
        Files.deleteIfExists(db);
        Files.deleteIfExists(work.resolve("catalog.db-wal"));
        Files.deleteIfExists(work.resolve("catalog.db-shm"));
        System.out.printf(
                Locale.ROOT,
                "%-10s %10s %12s %12s %12s %12s %12s %12s%n",
                "catalog",
                "insert/s",
                "name p50 ms",
                "name p99 ms",
                "hash p50 ms",
                "hash p99 ms",
                "tag p50 ms",
                "tag p99 ms");
        double[] sqlite;
        try (Catalog c = Catalog.openSqlite(db)) {
            sqlite = measure("SQLite", c, n, lookups);
        }
        double[] pg;
        String url = PostgresServer.shared().createDatabase("lode_bench");
        try (Catalog c = Catalog.builder().jdbcUrl(url).build()) {
            pg = measure("PostgreSQL", c, n, lookups);
        }
        System.out.printf(
                Locale.ROOT,
                "%d assets, %d tags each on average from %d, tag lookups return the first %d in path order%n",
                n,
                2,
                TAG_VOCABULARY.length,
                TAG_PAGE);
        System.out.printf(
                Locale.ROOT,
                "sqlite_p99_ms=%.3f pg_p99_ms=%.3f sqlite_tag_p99_ms=%.3f pg_tag_p99_ms=%.3f%n",
                sqlite[1],
                pg[1],
                sqlite[5],
                pg[5]);
    }

    private static TenantAssetKey key(int i) {
        ArtifactType[] types = ArtifactType.values();
        return new TenantAssetKey("acme", "run-" + (i / 1000), types[i % types.length], "asset-" + i + ".bin");
    }

    /** The tags assets get (a game's kinds of labels: levels, roles, platforms). */
    static final String[] TAG_VOCABULARY = {
        "level1",
        "level2",
        "level3",
        "level4",
        "level5",
        "level6",
        "menu",
        "ui",
        "hud",
        "hero",
        "enemy",
        "npc",
        "prop",
        "terrain",
        "sky",
        "water",
        "foliage",
        "building",
        "vehicle",
        "weapon",
        "fx",
        "music",
        "voice",
        "ambient",
        "mobile",
        "desktop",
        "lod0",
        "lod1",
        "lod2",
        "draft",
        "approved",
        "seasonal"
    };

    /** Assets returned by one lookup by tag. */
    static final int TAG_PAGE = 100;

    /** 1 to 3 distinct tags for asset {@code i}, the same in every run. */
    private static Set<String> tagsOf(int i) {
        SplittableRandom r = new SplittableRandom(i * 0x9E3779B97F4A7C15L);
        int count = 1 + r.nextInt(3);
        Set<String> tags = new TreeSet<>();
        while (tags.size() < count) {
            tags.add(TAG_VOCABULARY[r.nextInt(TAG_VOCABULARY.length)]);
        }
        return tags;
    }

    private static ObjectId objectOf(int i) {
        return Sha256.of(Integer.toString(i).getBytes());
    }

    /**
     * Inserts {@code n} assets with their tags (one transaction each), then times lookups; returns
     * {name p50, name p99, hash p50, hash p99, tag p50, tag p99}.
     */
    private static double[] measure(String name, Catalog c, int n, int lookups) {
        c.tenants().create("acme");
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            c.tenantAssets()
                    .put(new TenantAsset(key(i), objectOf(i), i, "application/octet-stream", false, now), tagsOf(i));
        }
        double insertRate = n / seconds(t0);
        SplittableRandom random = new SplittableRandom(7);
        // warm up the JIT and the database caches before timing
        for (int i = 0; i < Math.min(lookups, 2000); i++) {
            c.tenantAssets().find(key(random.nextInt(n)));
            c.tenantAssets().findByTag("acme", TAG_VOCABULARY[i % TAG_VOCABULARY.length], null, TAG_PAGE);
        }
        double[] byName = new double[lookups];
        double[] byHash = new double[lookups];
        double[] byTag = new double[lookups];
        for (int i = 0; i < lookups; i++) {
            int k = random.nextInt(n);
            TenantAssetKey key = key(k);
            long a = System.nanoTime();
            boolean found = c.tenantAssets().find(key).isPresent();
            byName[i] = (System.nanoTime() - a) / 1e6;
            ObjectId id = objectOf(random.nextInt(n));
            long b = System.nanoTime();
            boolean held = c.tenantAssets().tenantHoldsObject("acme", id);
            byHash[i] = (System.nanoTime() - b) / 1e6;
            String tag = TAG_VOCABULARY[random.nextInt(TAG_VOCABULARY.length)];
            long t = System.nanoTime();
            int tagged = c.tenantAssets().findByTag("acme", tag, null, TAG_PAGE).size();
            byTag[i] = (System.nanoTime() - t) / 1e6;
            check(found && held, "lookup " + k + " missed");
            check(n < 20_000 || tagged == TAG_PAGE, "lookup by tag " + tag + " found only " + tagged);
        }
        double[] out = {
            pct(byName, 50), pct(byName, 99), pct(byHash, 50), pct(byHash, 99), pct(byTag, 50), pct(byTag, 99)
        };
        System.out.printf(
                Locale.ROOT,
                "%-10s %10.0f %12.3f %12.3f %12.3f %12.3f %12.3f %12.3f%n",
                name,
                insertRate,
                out[0],
                out[1],
                out[2],
                out[3],
                out[4],
                out[5]);
        return out;
    }

    private static double pct(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
