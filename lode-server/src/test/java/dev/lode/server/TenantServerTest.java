package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.core.Sha256;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TenantServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;

    static ServerFixture fx;
    static String acme;
    static String globex;

    @BeforeAll
    static void start() {
        fx = ServerFixture.start(data, b -> b.cdnBase("https://cdn.example.com"));
        acme = fx.server.catalog().tenants().create("acme");
        globex = fx.server.catalog().tenants().create("globex");
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static HttpResponse<byte[]> put(String path, String key, byte[] body, String... headers) {
        HttpRequest.Builder b = fx.req(path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return fx.send(b.build());
    }

    static HttpResponse<byte[]> post(String path, String key) {
        return fx.send(fx.req(path)
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
    }

    static HttpResponse<byte[]> getWithKey(String path, String key) {
        return fx.get(path, "Authorization", "Bearer " + key);
    }

    @Test
    void secondIdenticalUploadIsDeduplicatedAndSaysSo() {
        byte[] img = "same texture bytes".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> first = put("/t/acme/run-1/texture/wall.ktx2", acme, img);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(json(first).get("deduplicated").asBoolean()).isFalse();
        assertThat(json(first).get("sha256").asText()).isEqualTo(Sha256.of(img).hex());
        long objects = fx.server.stores().shared().stats().objects();
        HttpResponse<byte[]> second = put("/t/acme/run-2/texture/wall.ktx2", acme, img);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(json(second).get("deduplicated").asBoolean()).isTrue();
        assertThat(json(second).get("storedNewBytes").asLong()).isZero();
        assertThat(fx.server.stores().shared().stats().objects()).isEqualTo(objects);
        String metrics = ServerFixture.body(fx.get("/metrics"));
        assertThat(metrics).contains("lode_tenant_logical_bytes{tenant=\"acme\"}");
        assertThat(metrics).contains("lode_tenant_stored_bytes{tenant=\"acme\"}");
    }

    @Test
    void privateUploadsNeedTheTenantKeyAndOtherTenantsNeverRead() {
        byte[] body = "private audio".getBytes(StandardCharsets.UTF_8);
        assertThat(put("/t/acme/r/audio/theme.ogg", acme, body).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> owner = getWithKey("/t/acme/r/audio/theme.ogg", acme);
        assertThat(owner.statusCode()).isEqualTo(200);
        assertThat(owner.body()).isEqualTo(body);
        assertThat(owner.headers().firstValue("content-type")).contains("audio/ogg");
        assertThat(fx.get("/t/acme/r/audio/theme.ogg").statusCode()).isEqualTo(403);
        assertThat(getWithKey("/t/acme/r/audio/theme.ogg", globex).statusCode()).isEqualTo(403);
        assertThat(getWithKey("/t/acme/r/audio/theme.ogg", "lode_forged").statusCode())
                .isEqualTo(401);
        assertThat(put("/t/acme/r/audio/x.ogg", globex, body).statusCode()).isEqualTo(403);
        assertThat(put("/t/acme/r/audio/x.ogg", null, body).statusCode()).isEqualTo(401);
        // the private object is not reachable by its hash either
        assertThat(fx.get("/objects/" + Sha256.of(body).hex()).statusCode()).isEqualTo(404);
    }

    @Test
    void everySeedFormatGetsItsContentType() {
        String[][] cases = {
            {"image", "a.png", "image/png"},
            {"image", "a.jpg", "image/jpeg"},
            {"image", "a.webp", "image/webp"},
            {"video", "a.mp4", "video/mp4"},
            {"video", "a.webm", "video/webm"},
            {"audio", "a.mp3", "audio/mpeg"},
            {"audio", "a.wav", "audio/wav"},
            {"audio", "a.ogg", "audio/ogg"},
            {"bundle", "a.zip", "application/zip"},
            {"bundle", "index.html", "text/html"},
            {"model_3d", "a.glb", "model/gltf-binary"},
            {"model_3d", "a.gltf", "model/gltf+json"},
            {"texture", "a.ktx2", "image/ktx2"},
            {"environment_map", "a.hdr", "image/vnd.radiance"},
            {"environment_map", "a.exr", "image/x-exr"},
            {"shader", "a.glsl", "text/plain"},
        };
        for (String[] c : cases) {
            String path = "/t/acme/types/" + c[0] + "/" + c[1];
            assertThat(put(path, acme, ("bytes of " + c[1]).getBytes(StandardCharsets.UTF_8))
                            .statusCode())
                    .as(path)
                    .isIn(200, 201);
            assertThat(getWithKey(path, acme).headers().firstValue("content-type"))
                    .as(path)
                    .contains(c[2]);
        }
    }

    @Test
    void unknownArtifactTypeIsRejected() {
        HttpResponse<byte[]> r = put("/t/acme/r/pictures/a.png", acme, new byte[] {1});
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(ServerFixture.body(r)).contains("unknown artifact type");
    }

    @Test
    void presignedUrlsReadUntilExpiryAndFailWhenAltered() throws Exception {
        byte[] body = "hdr environment".getBytes(StandardCharsets.UTF_8);
        put("/t/acme/r/environment_map/sky.hdr", acme, body);
        HttpResponse<byte[]> p = post("/t/acme/presign?path=r/environment_map/sky.hdr&expires=1h", acme);
        assertThat(p.statusCode()).isEqualTo(200);
        String url = json(p).get("url").asText();
        assertThat(url).startsWith(fx.base() + "/t/acme/r/environment_map/sky.hdr?expires=");
        HttpResponse<byte[]> ok =
                fx.send(HttpRequest.newBuilder(URI.create(url)).build());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(body);
        assertThat(ok.headers().firstValue("content-type")).contains("image/vnd.radiance");

        String tampered = url.substring(0, url.length() - 1) + (url.endsWith("0") ? "1" : "0");
        assertThat(fx.send(HttpRequest.newBuilder(URI.create(tampered)).build()).statusCode())
                .isEqualTo(403);
        String otherPath = url.replace("sky.hdr", "other.hdr");
        assertThat(fx.send(HttpRequest.newBuilder(URI.create(otherPath)).build())
                        .statusCode())
                .isEqualTo(403);
        String later = url.replaceAll("expires=(\\d+)", "expires=9999999999");
        assertThat(fx.send(HttpRequest.newBuilder(URI.create(later)).build()).statusCode())
                .isEqualTo(403);
        // a URL for acme's path signed with globex's secret never reads acme's asset
        byte[] globexSecret =
                fx.server.catalog().tenants().signingSecret("globex").orElseThrow();
        String forged = fx.base()
                + Presigner.sign(
                        globexSecret,
                        "GET",
                        "/t/acme/r/environment_map/sky.hdr",
                        Instant.now().plusSeconds(60));
        assertThat(fx.send(HttpRequest.newBuilder(URI.create(forged)).build()).statusCode())
                .isEqualTo(403);
        // expired
        byte[] secret = fx.server.catalog().tenants().signingSecret("acme").orElseThrow();
        String expired = fx.base()
                + Presigner.sign(
                        secret,
                        "GET",
                        "/t/acme/r/environment_map/sky.hdr",
                        Instant.now().minusSeconds(1));
        assertThat(fx.send(HttpRequest.newBuilder(URI.create(expired)).build()).statusCode())
                .isEqualTo(403);
    }

    @Test
    void publicUploadsAreReadableWithoutKeyAndGetCdnUrls() {
        byte[] body = "public model".getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = put("/t/acme/r/model_3d/ship.glb?public=true", acme, body);
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).get("url").asText()).isEqualTo("https://cdn.example.com/t/acme/r/model_3d/ship.glb");
        HttpResponse<byte[]> anon = fx.get("/t/acme/r/model_3d/ship.glb");
        assertThat(anon.statusCode()).isEqualTo(200);
        assertThat(anon.headers().firstValue("content-type")).contains("model/gltf-binary");
        HttpResponse<byte[]> viaHeader =
                put("/t/acme/r/image/logo.png", acme, "logo".getBytes(), "X-Lode-Public", "true");
        assertThat(json(viaHeader).get("public").asBoolean()).isTrue();
        HttpResponse<byte[]> priv = put("/t/acme/r/image/secret.png", acme, "s".getBytes());
        assertThat(json(priv).get("url").asText()).startsWith(fx.base() + "/t/acme/r/image/secret.png?expires=");
        assertThat(fx.get("/objects/" + Sha256.of(body).hex()).statusCode()).isEqualTo(200);
    }

    @Test
    void multipartUploadTakesPartsInAnyOrderWithRetriesAndCompletes() throws Exception {
        byte[] whole = new byte[3 * 1024 * 1024 + 17];
        new Random(3).nextBytes(whole);
        int partSize = 1024 * 1024;
        HttpResponse<byte[]> start = post("/t/acme/run-9/video/intro.mp4?uploads", acme);
        assertThat(start.statusCode()).isEqualTo(201);
        assertThat(json(start).get("state").asText()).isEqualTo("pending");
        String id = json(start).get("uploadId").asText();
        String base = "/t/acme/uploads/" + id;

        // a long-poll waiter that returns when the upload completes
        CompletableFuture<HttpResponse<byte[]>> waiter =
                CompletableFuture.supplyAsync(() -> getWithKey(base + "?wait=25", acme));

        int[] order = {4, 2, 1, 3};
        for (int n : order) {
            int from = (n - 1) * partSize;
            int to = Math.min(whole.length, n * partSize);
            byte[] part = java.util.Arrays.copyOfRange(whole, from, to);
            HttpResponse<byte[]> pr = put(base + "/parts/" + n, acme, part);
            assertThat(pr.statusCode()).as("part " + n).isEqualTo(200);
            assertThat(json(pr).get("sha256").asText())
                    .isEqualTo(Sha256.of(part).hex());
        }
        // part 2 dropped mid-transfer, then retried whole
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT " + base + "/parts/2 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + acme
                            + "\r\nContent-Length: " + partSize + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[1000]);
        }
        HttpResponse<byte[]> status = getWithKey(base, acme);
        assertThat(json(status).get("state").asText()).isEqualTo("uploading");
        assertThat(json(status).get("parts")).hasSize(4);
        assertThat(put(base + "/parts/2", acme, java.util.Arrays.copyOfRange(whole, partSize, 2 * partSize))
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<byte[]> done = post(base + "/complete", acme);
        assertThat(done.statusCode()).isEqualTo(200);
        JsonNode d = json(done);
        assertThat(d.get("state").asText()).isEqualTo("complete");
        assertThat(d.get("sha256").asText()).isEqualTo(Sha256.of(whole).hex());
        assertThat(d.get("size").asLong()).isEqualTo(whole.length);

        HttpResponse<byte[]> waited = waiter.get();
        assertThat(json(waited).get("state").asText()).isEqualTo("complete");
        assertThat(getWithKey("/t/acme/run-9/video/intro.mp4", acme).body()).isEqualTo(whole);
        assertThat(post(base + "/complete", acme).statusCode()).isEqualTo(409);
    }

    @Test
    void aPartDamagedInTheStoreFailsCompletionAndStoresNothing() throws Exception {
        String id = json(post("/t/acme/r/bundle/damaged.zip?uploads", acme))
                .get("uploadId")
                .asText();
        String base = "/t/acme/uploads/" + id;
        byte[] one = new byte[100_000];
        new Random(11).nextBytes(one);
        byte[] two = "second part".getBytes(StandardCharsets.UTF_8);
        assertThat(put(base + "/parts/1", acme, one).statusCode()).isEqualTo(200);
        assertThat(put(base + "/parts/2", acme, two).statusCode()).isEqualTo(200);
        var store = (dev.lode.core.LocalObjectStore) fx.server.stores().tenant("acme");
        java.nio.file.Path partFile = store.pathOf(Sha256.of(one));
        byte[] bad = one.clone();
        bad[5000] ^= 1;
        partFile.toFile().setWritable(true);
        java.nio.file.Files.write(partFile, bad);
        long objects = store.stats().objects();

        HttpResponse<byte[]> c = post(base + "/complete", acme);

        assertThat(c.statusCode()).isEqualTo(409);
        assertThat(ServerFixture.body(c)).contains("part 1 of the upload").contains("upload that part again");
        assertThat(store.stats().objects()).isEqualTo(objects);
        assertThat(getWithKey("/t/acme/r/bundle/damaged.zip", acme).statusCode())
                .isEqualTo(404);
    }

    @Test
    void completingWithAMissingPartFailsAndAbortEndsTheUpload() {
        String id = json(post("/t/acme/r/bundle/b.zip?uploads", acme))
                .get("uploadId")
                .asText();
        String base = "/t/acme/uploads/" + id;
        put(base + "/parts/2", acme, new byte[] {1, 2, 3});
        HttpResponse<byte[]> c = post(base + "/complete", acme);
        assertThat(c.statusCode()).isEqualTo(400);
        assertThat(ServerFixture.body(c)).contains("missing part 1");
        assertThat(getWithKey(base, globex).statusCode()).isEqualTo(403);
        HttpResponse<byte[]> a = fx.send(
                fx.req(base).header("Authorization", "Bearer " + acme).DELETE().build());
        assertThat(json(a).get("state").asText()).isEqualTo("aborted");
        assertThat(put(base + "/parts/1", acme, new byte[] {1}).statusCode()).isEqualTo(409);
        assertThat(data.resolve("uploads").resolve(id)).doesNotExist();
    }

    @Test
    void aWorkflowStepWaitsForAStreamedUploadByPath() throws Exception {
        byte[] body = new byte[2 << 20];
        new Random(4).nextBytes(body);
        // the uploader sends the head and half the body, then pauses
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /t/acme/ci-42/bundle/build.zip HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + acme
                            + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, body.length / 2);
            out.flush();
            String statusPath = "/t/acme/uploads?path=ci-42/bundle/build.zip";
            JsonNode open = null;
            for (int i = 0; i < 200; i++) {
                HttpResponse<byte[]> r = getWithKey(statusPath, acme);
                if (r.statusCode() == 200) {
                    open = json(r);
                    if (open.get("state").asText().equals("uploading")) {
                        break;
                    }
                    // created, first bytes not read yet
                    assertThat(open.get("state").asText()).isEqualTo("pending");
                }
                Thread.sleep(25);
            }
            assertThat(open).isNotNull();
            assertThat(open.get("state").asText()).isEqualTo("uploading");
            CompletableFuture<HttpResponse<byte[]>> waiter =
                    CompletableFuture.supplyAsync(() -> getWithKey(statusPath + "&wait=20", acme));
            out.write(body, body.length / 2, body.length - body.length / 2);
            out.flush();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .startsWith("HTTP/1.1 201");
            JsonNode done = json(waiter.get());
            assertThat(done.get("state").asText()).isEqualTo("complete");
            assertThat(done.get("sha256").asText()).isEqualTo(Sha256.of(body).hex());
        }
        assertThat(getWithKey("/t/acme/uploads?path=none/bundle/x.zip", acme).statusCode())
                .isEqualTo(404);
    }

    @Test
    void statusWaitReturnsCurrentStateWhenNothingHappens() {
        String id = json(post("/t/acme/r/shader/s.glsl?uploads", acme))
                .get("uploadId")
                .asText();
        HttpResponse<byte[]> r = getWithKey("/t/acme/uploads/" + id + "?wait=1", acme);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("state").asText()).isEqualTo("pending");
        assertThat(Duration.ofSeconds(1)).isPositive();
    }
}
