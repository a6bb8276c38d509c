package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import dev.lode.s3.S3ProxyServer;
import dev.lode.testing.PostgresServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two {@code lode serve} instances configured through the command line on one real PostgreSQL
 * catalog and one real S3 API server (s3proxy, signatures checked): stateless servers that see
 * each other's uploads.
 */
class SharedStoreServersTest {
    private static final String ADMIN = "admin-key-0123456789";
    private static S3ProxyServer s3;
    private static Path s3Dir;

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private String catalogUrl;
    // Each test has its own catalog database, so it gets its own key prefix in the shared bucket.
    private final String site = "site-" + Long.toHexString(System.nanoTime());

    @BeforeAll
    static void startS3() throws Exception {
        s3Dir = Files.createTempDirectory("lode-s3proxy-");
        s3 = S3ProxyServer.start(s3Dir);
        // The AWS SDK's default chain reads these first; a real deployment sets AWS_ACCESS_KEY_ID.
        System.setProperty("aws.accessKeyId", s3.accessKey());
        System.setProperty("aws.secretAccessKey", s3.secretKey());
    }

    @AfterAll
    static void stopS3() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        s3.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private String[] storeArgs(Path data) {
        if (catalogUrl == null) {
            PostgresServer pg = PostgresServer.shared();
            catalogUrl = pg.createDatabase("lode_shared_" + Long.toHexString(System.nanoTime()));
        }
        return new String[] {
            "--data",
            data.toString(),
            "--store",
            "s3://lode-shared/" + site,
            "--s3-endpoint",
            s3.endpoint().toString(),
            "--s3-region",
            "us-east-1",
            "--s3-path-style",
            "--s3-create-bucket",
            "--catalog",
            catalogUrl
        };
    }

    private ServeCommand.Running serve(Path data, String... extra) {
        ServeCommand cmd = new ServeCommand();
        List<String> args = new ArrayList<>(List.of(
                "--port", "0", "--bind", "127.0.0.1", "--admin-key", ADMIN, "--cdn-base", "https://cdn.example.test/"));
        args.addAll(Arrays.asList(storeArgs(data)));
        args.addAll(Arrays.asList(extra));
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        ServeCommand.Running r = cmd.start();
        open.add(r);
        return r;
    }

    private String base(ServeCommand.Running r) {
        return "http://127.0.0.1:" + r.server().port();
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder req) throws Exception {
        return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String createTenant(Path data) {
        return runLode(List.of("tenant", "create", "acme", "--data", data.toString(), "--catalog", catalogUrl));
    }

    /** Runs a lode command in this JVM; returns what it printed on stdout, failing unless it exits 0. */
    private static String runLode(List<String> args) {
        CommandLine cl = Lode.commandLine();
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true));
        try {
            assertThat(cl.execute(args.toArray(String[]::new))).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString().strip();
    }

    @Test
    void twoServersOnOneBucketAndOneCatalogServeEachOthersUploads() throws Exception {
        ServeCommand.Running a = serve(tmp.resolve("a"));
        ServeCommand.Running b = serve(tmp.resolve("b"));
        String key = createTenant(tmp.resolve("a"));
        assertThat(key).startsWith("lode_");

        byte[] texture = new byte[700_000];
        new Random(42).nextBytes(texture);
        String sha = Sha256.of(texture).hex();

        // A tenant upload through server A...
        var put = send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-1/texture/wall.ktx2"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(texture)));
        assertThat(put.statusCode()).isEqualTo(201);
        // ...is in the bucket under the tenant's content-addressed key...
        assertThat(s3Dir.resolve("lode-shared/" + site + "/acme/objects/" + sha))
                .exists();
        assertThat(Files.readAllBytes(s3Dir.resolve("lode-shared/" + site + "/acme/objects/" + sha)))
                .isEqualTo(texture);
        // ...and served by server B, whole and by range (streamed from S3).
        var whole = send(HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/run-1/texture/wall.ktx2"))
                .header("Authorization", "Bearer " + key));
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(texture);
        assertThat(whole.headers().firstValue("ETag")).contains("\"" + sha + "\"");
        var range = send(HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/run-1/texture/wall.ktx2"))
                .header("Authorization", "Bearer " + key)
                .header("Range", "bytes=300000-300009"));
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(texture, 300_000, 300_010));

        // A presign answer also carries a SigV4 URL that reads the object straight from the bucket.
        var presign = send(
                HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/presign?path=run-1/texture/wall.ktx2&expires=10m"))
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(presign.statusCode()).isEqualTo(200);
        String storeUrl = new String(presign.body()).replaceAll(".*\"storeUrl\":\"([^\"]+)\".*", "$1");
        assertThat(storeUrl).startsWith(s3.endpoint() + "/lode-shared/" + site + "/acme/objects/" + sha + "?");
        var direct = send(HttpRequest.newBuilder(URI.create(storeUrl)));
        assertThat(direct.statusCode()).isEqualTo(200);
        assertThat(direct.body()).isEqualTo(texture);
        var tampered =
                send(HttpRequest.newBuilder(URI.create(storeUrl.replace("X-Amz-Expires=600", "X-Amz-Expires=601"))));
        assertThat(tampered.statusCode()).isEqualTo(403);

        // lode presign --direct signs the same kind of URL from the command line.
        List<String> presignArgs =
                new ArrayList<>(List.of("presign", "acme", "run-1/texture/wall.ktx2", "--direct", "--expires", "5m"));
        presignArgs.addAll(Arrays.asList(storeArgs(tmp.resolve("a"))));
        String cliUrl = runLode(presignArgs);
        assertThat(cliUrl).startsWith(s3.endpoint() + "/lode-shared/" + site + "/acme/objects/" + sha + "?");
        assertThat(send(HttpRequest.newBuilder(URI.create(cliUrl))).body()).isEqualTo(texture);

        // The same bytes uploaded through B under another name are deduplicated: nothing new stored.
        var again = send(HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/run-2/texture/copy.ktx2"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(texture)));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new String(again.body())).contains("\"deduplicated\":true");

        // An admin asset PUT on B is served by A, and both its servers agree on the 304.
        byte[] small = "small shared asset".getBytes();
        var admin = send(HttpRequest.newBuilder(URI.create(base(b) + "/assets/hello.txt"))
                .header("Authorization", "Bearer " + ADMIN)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(small)));
        assertThat(admin.statusCode()).isEqualTo(201);
        var fromA = send(HttpRequest.newBuilder(URI.create(base(a) + "/assets/hello.txt")));
        assertThat(fromA.statusCode()).isEqualTo(200);
        assertThat(fromA.body()).isEqualTo(small);
        var notModified = send(HttpRequest.newBuilder(URI.create(base(a) + "/assets/hello.txt"))
                .header("If-None-Match", fromA.headers().firstValue("ETag").orElseThrow()));
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(s3Dir.resolve("lode-shared/" + site + "/_server/objects/"
                        + Sha256.of(small).hex()))
                .exists();
    }

    @Test
    void aMultipartUploadMayGoThroughBothServers() throws Exception {
        ServeCommand.Running a = serve(tmp.resolve("a"));
        ServeCommand.Running b = serve(tmp.resolve("b"));
        String key = createTenant(tmp.resolve("a"));
        byte[] whole = new byte[1_500_000];
        new Random(7).nextBytes(whole);
        byte[] one = Arrays.copyOfRange(whole, 0, 1_000_000);
        byte[] two = Arrays.copyOfRange(whole, 1_000_000, whole.length);

        var start = send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-3/video/intro.mp4?uploads"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(start.statusCode()).isEqualTo(201);
        String id = new String(start.body()).replaceAll(".*\"uploadId\":\"([^\"]+)\".*", "$1");
        var p2 = send(HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/uploads/" + id + "/parts/2"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(two)));
        var p1 = send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/uploads/" + id + "/parts/1"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(one)));
        assertThat(p1.statusCode()).isEqualTo(200);
        assertThat(p2.statusCode()).isEqualTo(200);
        var done = send(HttpRequest.newBuilder(URI.create(base(b) + "/t/acme/uploads/" + id + "/complete"))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(new String(done.body())).contains(Sha256.of(whole).hex());

        var got = send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-3/video/intro.mp4"))
                .header("Authorization", "Bearer " + key));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(whole);
    }

    @Test
    void aPublicUploadIsGivenTheCdnUrlOfItsBucketKey() throws Exception {
        ServeCommand.Running a = serve(tmp.resolve("a"));
        String key = createTenant(tmp.resolve("a"));
        byte[] model = "glTF binary, public".getBytes();
        var put = send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-5/model_3d/ship.glb?public=true"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(model)));
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(new String(put.body()))
                .contains("\"url\":\"https://cdn.example.test/" + site + "/acme/objects/"
                        + Sha256.of(model).hex() + "\"");
    }

    @Test
    void gcAndUsageRunOnTheBucketAndTheSharedCatalog() throws Exception {
        ServeCommand.Running a = serve(tmp.resolve("a"));
        String key = createTenant(tmp.resolve("a"));
        byte[] kept = "kept: an artifact names it".getBytes();
        byte[] dropped = "dropped: its asset is deleted".getBytes();
        send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-1/image/kept.png"))
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(kept)));
        send(HttpRequest.newBuilder(URI.create(base(a) + "/assets/dropped.txt"))
                .header("Authorization", "Bearer " + ADMIN)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(dropped)));
        assertThat(send(HttpRequest.newBuilder(URI.create(base(a) + "/assets/dropped.txt"))
                                .header("Authorization", "Bearer " + ADMIN)
                                .DELETE())
                        .statusCode())
                .isEqualTo(204);
        Path droppedKey = s3Dir.resolve(
                "lode-shared/" + site + "/_server/objects/" + Sha256.of(dropped).hex());
        Path keptKey = s3Dir.resolve(
                "lode-shared/" + site + "/acme/objects/" + Sha256.of(kept).hex());
        assertThat(droppedKey).exists();
        Thread.sleep(2_100); // S3 times have one-second resolution; let both objects pass a 1 s grace

        List<String> gc = new ArrayList<>(List.of("gc", "--grace", "1s", "--json"));
        gc.addAll(Arrays.asList(storeArgs(tmp.resolve("a"))));
        String report = runLode(gc);

        assertThat(report).contains("\"objectsDeleted\" : 1");
        assertThat(droppedKey).doesNotExist();
        assertThat(keptKey).exists();

        List<String> usage = new ArrayList<>(List.of("usage", "--tenant", "acme", "--json"));
        usage.addAll(Arrays.asList(storeArgs(tmp.resolve("a"))));
        assertThat(runLode(usage)).contains("\"logicalBytes\" : " + kept.length);
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.exists(p) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(p).exists();
    }

    @Test
    void writesAreCopiedToAReplicaWhichServesReadsWhileThePrimaryIsDown() throws Exception {
        Path replicaDir = tmp.resolve("replica-s3");
        try (S3ProxyServer replica = S3ProxyServer.startLike(replicaDir, s3)) {
            ServeCommand.Running a = serve(
                    tmp.resolve("a"),
                    "--replica",
                    "s3://lode-replica/" + site + "?endpoint=" + replica.endpoint() + "&path-style=true");
            String key = createTenant(tmp.resolve("a"));
            byte[] first = new byte[300_000];
            new Random(21).nextBytes(first);
            String path = "/t/acme/run-1/audio/theme.ogg";
            assertThat(send(HttpRequest.newBuilder(URI.create(base(a) + path))
                                    .header("Authorization", "Bearer " + key)
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(first)))
                            .statusCode())
                    .isEqualTo(201);
            awaitFile(replicaDir.resolve(
                    "lode-replica/" + site + "/acme/objects/" + Sha256.of(first).hex()));

            // the primary goes down: reads fall back to the replica
            s3.stop();
            try {
                var fallback = send(
                        HttpRequest.newBuilder(URI.create(base(a) + path)).header("Authorization", "Bearer " + key));
                assertThat(fallback.statusCode()).isEqualTo(200);
                assertThat(fallback.body()).isEqualTo(first);
            } finally {
                s3.restart();
            }

            // the replica goes down: the copy waits in the catalog's queue and drains when it is back
            replica.stop();
            byte[] second = new byte[200_000];
            new Random(22).nextBytes(second);
            assertThat(send(HttpRequest.newBuilder(URI.create(base(a) + "/t/acme/run-1/audio/second.ogg"))
                                    .header("Authorization", "Bearer " + key)
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(second)))
                            .statusCode())
                    .isEqualTo(201);
            try (var catalog =
                    dev.lode.catalog.Catalog.builder().jdbcUrl(catalogUrl).build()) {
                assertThat(catalog.replication().size("acme")).isPositive();
            }
            replica.restart();
            awaitFile(replicaDir.resolve("lode-replica/" + site + "/acme/objects/"
                    + Sha256.of(second).hex()));
        }
    }

    @Test
    void aMissingBucketIsAClearErrorUnlessAskedToCreateIt() {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd)
                .parseArgs(
                        "--port",
                        "0",
                        "--bind",
                        "127.0.0.1",
                        "--data",
                        tmp.toString(),
                        "--store",
                        "s3://no-such-bucket",
                        "--s3-endpoint",
                        s3.endpoint().toString(),
                        "--s3-path-style");
        assertThatThrownBy(cmd::start)
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("bucket no-such-bucket at " + s3.endpoint())
                .hasMessageContaining("does not exist");
        assertThat(s3Dir.resolve("no-such-bucket")).doesNotExist();
    }

    @Test
    void s3OptionsWithoutAnS3StoreAreAUsageError() {
        assertThat(Lode.run("ingest", tmp.toString(), "--data", tmp.toString(), "--s3-path-style"))
                .isEqualTo(2);
    }
}
