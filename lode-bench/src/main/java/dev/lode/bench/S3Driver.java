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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * The Java side of {@code bench/run s3}. Everything runs in this one JVM against one embedded
 * s3proxy on loopback, so lode and its peer share the same server, disk and cores.
 *
 * <pre>
 *   upload WORK DIR MB ROUNDS [C]
 *                             one MB-megabyte file in WORK uploaded to an s3proxy keeping its data
 *                             under DIR, ROUNDS times by each uploader (best of ROUNDS; each round
 *                             starts with another uploader, with a pause between uploads): lode-s3
 *                             putFile; S3TransferManager uploadFile with the SDK's default checksums
 *                             (CRC32); the same with SHA-256 part checksums, lode's integrity; and
 *                             rclone copyto when rclone is installed. All use 16 MiB parts and C
 *                             parts in flight (default 8: lode's uploadConcurrency, the
 *                             TransferManager client's HTTP maxConcurrency, rclone's
 *                             --s3-upload-concurrency). Then lode's dedup re-uploads: the same file
 *                             again in the same process (its hash remembered while the file is
 *                             unchanged), through a fresh S3Stores (hashed again), and a stream whose
 *                             hash the caller knows (putVerified)
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
                        Path.of(args[2]),
                        Long.parseLong(args[3]),
                        Integer.parseInt(args[4]),
                        args.length > 5 ? Integer.parseInt(args[5]) : 8);
            case "catalog" -> catalog(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println(
                        "usage: S3Driver upload WORK SERVER-DIR MB ROUNDS [CONCURRENCY] | catalog WORK N LOOKUPS");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- upload

    /** One uploader under test; {@code run} uploads the file once and returns its wall time in seconds. */
    private record Uploader(String name, String key, Timed run) {}

    @FunctionalInterface
    private interface Timed {
        double run() throws Exception;
    }

    static void upload(Path work, Path serverDir, long mb, int rounds, int concurrency) throws Exception {
        Path file = work.resolve("upload-" + mb + "m.bin");
        if (!Files.exists(file) || Files.size(file) != mb * MIB) {
            System.err.println("writing " + mb + " MB of random bytes to " + file + " (once)");
            writeRandom(file, mb * MIB);
        }
        Path data = serverDir.resolve("s3proxy");
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
            boolean rclone = rcloneWorks();
            System.out.printf(
                    Locale.ROOT,
                    "file %d MB, part size %d MiB, %d parts in flight for every uploader; s3proxy data in %s%n",
                    mb,
                    PART / MIB,
                    s.uploadConcurrency(),
                    data);

            double[] dedup = new double[rounds];
            double[] cold = new double[rounds];
            double[] known = new double[rounds];
            ObjectId[] id = new ObjectId[1];
            int[] round = new int[1];
            List<Uploader> uploaders = new ArrayList<>();
            uploaders.add(new Uploader("lode putFile (SHA-256 key, chunk map, SHA-256 per part)", "lode", () -> {
                // A fresh S3Stores each round: its file hash cache is empty, so the upload hashes the file.
                StoredObject put;
                double t;
                try (S3Stores fresh = S3Stores.open(s)) {
                    S3ObjectStore roundStore = fresh.forTenant("bench");
                    long t0 = System.nanoTime();
                    put = roundStore.putFile(file);
                    t = seconds(t0);
                    check(put.created(), "first lode upload of round " + round[0] + " was not created");
                    long t1 = System.nanoTime();
                    check(!roundStore.putFile(file).created(), "dedup upload transferred bytes");
                    dedup[round[0]] = seconds(t1);
                }
                id[0] = put.id();
                try (S3Stores fresh = S3Stores.open(s)) {
                    long tc = System.nanoTime();
                    check(!fresh.forTenant("bench").putFile(file).created(), "dedup (fresh store) transferred bytes");
                    cold[round[0]] = seconds(tc);
                }
                long t2 = System.nanoTime();
                try (var in = Files.newInputStream(file)) {
                    check(!store.putVerified(in, put.id()).created(), "known-hash upload transferred bytes");
                }
                known[round[0]] = seconds(t2);
                return t;
            }));
            uploaders.add(new Uploader("S3TransferManager (SDK default: CRC32)", "tm", () -> {
                long t0 = System.nanoTime();
                tm.uploadFile(u -> u.putObjectRequest(p -> p.bucket("peer").key("tm"))
                                .source(file))
                        .completionFuture()
                        .join();
                return seconds(t0);
            }));
            uploaders.add(new Uploader("S3TransferManager, SHA-256 per part", "tm_sha256", () -> {
                long t0 = System.nanoTime();
                tm.uploadFile(u -> u.putObjectRequest(p ->
                                        p.bucket("peer").key("tm-sha256").checksumAlgorithm(ChecksumAlgorithm.SHA256))
                                .source(file))
                        .completionFuture()
                        .join();
                return seconds(t0);
            }));
            if (rclone) {
                uploaders.add(new Uploader(
                        "rclone copyto (MD5 of the file first)",
                        "rclone",
                        () -> rcloneCopy(server, file, "peer/rclone", concurrency)));
            } else {
                System.out.println("rclone not found: its row is skipped");
            }

            double[][] times = new double[uploaders.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                round[0] = r;
                StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
                // each round starts with another uploader, so none always follows the same one
                for (int k = 0; k < uploaders.size(); k++) {
                    int u = (r + k) % uploaders.size();
                    settle();
                    times[u][r] = uploaders.get(u).run().run();
                    line.append(String.format(
                            Locale.ROOT, " %s %.2f s", uploaders.get(u).key(), times[u][r]));
                }
                System.out.println(line);
                // the next round starts from an empty bucket
                store.delete(id[0]);
                store.forEach(store::delete);
                for (S3Object o : plain.listObjectsV2(b -> b.bucket("peer")).contents()) {
                    plain.deleteObject(b -> b.bucket("peer").key(o.key()));
                }
            }
            double[] best = Arrays.stream(times)
                    .mapToDouble(t -> Arrays.stream(t).min().orElseThrow())
                    .toArray();
            double mbps = mb * MIB / 1e6;
            System.out.println();
            System.out.printf(
                    Locale.ROOT, "%-58s %9s %8s %8s%n", "upload (best of " + rounds + ")", "seconds", "MB/s", "lode/x");
            for (int u = 0; u < uploaders.size(); u++) {
                System.out.printf(
                        Locale.ROOT,
                        "%-58s %9.2f %8.0f %8.2f%n",
                        uploaders.get(u).name(),
                        best[u],
                        mbps / best[u],
                        best[0] / best[u]);
            }
            double bestDedup = Arrays.stream(dedup).min().orElseThrow();
            double bestKnown = Arrays.stream(known).min().orElseThrow();
            double bestCold = Arrays.stream(cold).min().orElseThrow();
            System.out.printf(Locale.ROOT, "%-58s %9.3f%n", "lode re-upload, same file (dedup)", bestDedup);
            System.out.printf(Locale.ROOT, "%-58s %9.3f%n", "  same, fresh store (hashed again)", bestCold);
            System.out.printf(Locale.ROOT, "%-58s %9.4f%n", "  same, hash known (putVerified)", bestKnown);
            StringBuilder kv = new StringBuilder();
            kv.append(String.format(Locale.ROOT, "upload_ratio=%.2f", best[0] / best[1]));
            for (int u = 2; u < uploaders.size(); u++) {
                kv.append(String.format(
                        Locale.ROOT, " upload_ratio_%s=%.2f", uploaders.get(u).key(), best[0] / best[u]));
            }
            for (int u = 0; u < uploaders.size(); u++) {
                kv.append(String.format(
                        Locale.ROOT, " %s_s=%.2f", uploaders.get(u).key(), best[u]));
            }
            kv.append(String.format(
                    Locale.ROOT,
                    " dedup_pct=%.1f dedup_rehash_pct=%.1f dedup_known_hash_pct=%.2f",
                    100 * bestDedup / best[0],
                    100 * bestCold / best[0],
                    100 * bestKnown / best[0]));
            System.out.println(kv);
        } finally {
            deleteTree(data);
        }
    }

    /**
     * Lets the previous upload's after-effects (garbage, s3proxy's part deletes, page-cache
     * write-back) die down, so that no uploader pays for the one before it.
     */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(1500);
    }

    private static boolean rcloneWorks() {
        try {
            return new ProcessBuilder("rclone", "version")
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .start()
                            .waitFor()
                    == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** {@code rclone copyto}, configured by environment (no config file), same part size and parallelism. */
    private static double rcloneCopy(S3ProxyServer server, Path file, String target, int concurrency) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "rclone",
                        "copyto",
                        file.toString(),
                        "bench:" + target,
                        "--s3-chunk-size",
                        (PART / MIB) + "M",
                        "--s3-upload-concurrency",
                        String.valueOf(concurrency))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = pb.environment();
        env.remove("AWS_CA_BUNDLE"); // rclone cannot combine a CA bundle with its plain-http transport
        env.put("RCLONE_CONFIG", "/dev/null");
        env.put("RCLONE_CONFIG_BENCH_TYPE", "s3");
        env.put("RCLONE_CONFIG_BENCH_PROVIDER", "Other");
        env.put("RCLONE_CONFIG_BENCH_ENDPOINT", server.endpoint().toString());
        env.put("RCLONE_CONFIG_BENCH_REGION", "us-east-1");
        env.put("RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE", "true");
        env.put("RCLONE_CONFIG_BENCH_ACCESS_KEY_ID", server.accessKey());
        env.put("RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY", server.secretKey());
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double t = seconds(t0);
        check(rc == 0, "rclone copyto exited with " + rc);
        return t;
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
