package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssetServerTest {
    @TempDir
    static Path data;

    static ServerFixture fx;
    static byte[] png;

    @BeforeAll
    static void start() {
        fx = ServerFixture.start(data);
        png = new byte[20_000];
        new Random(1).nextBytes(png);
        assertThat(fx.putAsset("hero.png", png).statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    private static String etag(byte[] b) {
        return "\"" + Sha256.of(b).hex() + "\"";
    }

    @Test
    void getThenConditionalThenUpdateThenGetAgain() {
        byte[] v1 = "icon version one".getBytes(StandardCharsets.UTF_8);
        assertThat(fx.putAsset("995", v1, "Content-Type", "image/png").statusCode())
                .isEqualTo(201);
        HttpResponse<byte[]> r1 = fx.get("/assets/995");
        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(r1.body()).isEqualTo(v1);
        String tag = r1.headers().firstValue("etag").orElseThrow();
        assertThat(tag).isEqualTo(etag(v1));
        assertThat(r1.headers().firstValue("content-type")).contains("image/png");
        assertThat(r1.headers().firstValue("cache-control")).contains("public, max-age=31536000");

        HttpResponse<byte[]> r2 = fx.get("/assets/995", "If-None-Match", tag);
        assertThat(r2.statusCode()).isEqualTo(304);
        assertThat(r2.body()).isEmpty();
        assertThat(r2.headers().firstValue("etag")).contains(tag);

        byte[] v2 = "icon version two".getBytes(StandardCharsets.UTF_8);
        assertThat(fx.putAsset("995", v2, "Content-Type", "image/png").statusCode())
                .isEqualTo(200);
        HttpResponse<byte[]> r3 = fx.get("/assets/995", "If-None-Match", tag);
        assertThat(r3.statusCode()).isEqualTo(200);
        assertThat(r3.body()).isEqualTo(v2);
        assertThat(r3.headers().firstValue("etag")).contains(etag(v2));
    }

    @Test
    void ifNoneMatchListsStarAndWeakTagsGive304() {
        String tag = etag(png);
        assertThat(fx.get("/assets/hero.png", "If-None-Match", "\"nope\", W/" + tag)
                        .statusCode())
                .isEqualTo(304);
        assertThat(fx.get("/assets/hero.png", "If-None-Match", "*").statusCode())
                .isEqualTo(304);
        assertThat(fx.get("/assets/hero.png", "If-None-Match", "\"nope\"").statusCode())
                .isEqualTo(200);
    }

    @Test
    void unknownAssetIs404WithJson() {
        HttpResponse<byte[]> r = fx.get("/assets/missing-id");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(ServerFixture.body(r)).isEqualTo("{\"error\":\"Asset not found\"}");
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
    }

    @Test
    void headIsGetWithoutBody() {
        HttpResponse<byte[]> r = fx.send(fx.req("/assets/hero.png")
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("content-length")).contains(String.valueOf(png.length));
        assertThat(r.headers().firstValue("etag")).contains(etag(png));
    }

    @Test
    void singleRangeGets206WithContentRange() {
        HttpResponse<byte[]> r = fx.get("/assets/hero.png", "Range", "bytes=100-199");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("content-range")).contains("bytes 100-199/" + png.length);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(png, 100, 200));
        HttpResponse<byte[]> tail = fx.get("/assets/hero.png", "Range", "bytes=-10");
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(png, png.length - 10, png.length));
    }

    @Test
    void severalRangesGetMultipartByteranges() {
        HttpResponse<byte[]> r = fx.get("/assets/hero.png", "Range", "bytes=0-3,10-13");
        assertThat(r.statusCode()).isEqualTo(206);
        String ct = r.headers().firstValue("content-type").orElseThrow();
        assertThat(ct).startsWith("multipart/byteranges; boundary=");
        String boundary = ct.substring(ct.indexOf('=') + 1);
        String text = new String(r.body(), StandardCharsets.ISO_8859_1);
        assertThat(text)
                .contains("--" + boundary + "\r\nContent-Type: image/png\r\nContent-Range: bytes 0-3/20000\r\n\r\n"
                        + new String(Arrays.copyOfRange(png, 0, 4), StandardCharsets.ISO_8859_1));
        assertThat(text)
                .contains("Content-Range: bytes 10-13/20000\r\n\r\n"
                        + new String(Arrays.copyOfRange(png, 10, 14), StandardCharsets.ISO_8859_1));
        assertThat(text).endsWith("\r\n--" + boundary + "--\r\n");
        assertThat(r.headers().firstValue("content-length")).contains(String.valueOf(r.body().length));
    }

    @Test
    void rangeBeyondEndGets416() {
        HttpResponse<byte[]> r = fx.get("/assets/hero.png", "Range", "bytes=20000-");
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(r.headers().firstValue("content-range")).contains("bytes */20000");
    }

    @Test
    void ifRangeWithStaleTagSendsWholeBody() {
        HttpResponse<byte[]> r = fx.get("/assets/hero.png", "Range", "bytes=0-9", "If-Range", "\"stale\"");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).hasSize(png.length);
        HttpResponse<byte[]> ok = fx.get("/assets/hero.png", "Range", "bytes=0-9", "If-Range", etag(png));
        assertThat(ok.statusCode()).isEqualTo(206);
    }

    @Test
    void writesNeedTheAdminKey() {
        HttpResponse<byte[]> r = fx.send(fx.req("/assets/x.png")
                .header("Authorization", "Bearer wrong-key-wrong-key")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[10]))
                .build());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(fx.get("/assets/x.png").statusCode()).isEqualTo(404);
        HttpResponse<byte[]> d = fx.send(fx.req("/assets/hero.png").DELETE().build());
        assertThat(d.statusCode()).isEqualTo(401);
    }

    @Test
    void deleteRemovesAnAsset() {
        fx.putAsset("gone.txt", "bye".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> d = fx.send(fx.req("/assets/gone.txt")
                .header("Authorization", "Bearer " + ServerFixture.ADMIN)
                .DELETE()
                .build());
        assertThat(d.statusCode()).isEqualTo(204);
        assertThat(fx.get("/assets/gone.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void objectUrlsAreImmutableAndOnlyForPublicObjects() {
        HttpResponse<byte[]> r = fx.get("/objects/" + Sha256.of(png).hex());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("cache-control")).contains("public, max-age=31536000, immutable");
        assertThat(r.body()).isEqualTo(png);
        assertThat(fx.get("/objects/" + Sha256.of(new byte[] {1, 2}).hex()).statusCode())
                .isEqualTo(404);
        assertThat(fx.get("/objects/NOTHEX").statusCode()).isEqualTo(400);
    }

    @Test
    void textAssetsNegotiateGzipAndBrotliWithDistinctEtags() throws IOException {
        StringBuilder sb = new StringBuilder("{\"asset\":\"scene\",\"nodes\":[");
        for (int i = 0; i < 500; i++) {
            sb.append("{\"name\":\"node")
                    .append(i)
                    .append("\",\"mesh\":")
                    .append(i % 7)
                    .append("},");
        }
        sb.append("{}]}");
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        fx.putAsset("scene.gltf", json);
        HttpResponse<byte[]> plain = fx.get("/assets/scene.gltf");
        HttpResponse<byte[]> gz = fx.get("/assets/scene.gltf", "Accept-Encoding", "gzip");
        HttpResponse<byte[]> br = fx.get("/assets/scene.gltf", "Accept-Encoding", "gzip, br");
        assertThat(plain.headers().firstValue("content-encoding")).isEmpty();
        assertThat(plain.headers().firstValue("vary")).contains("accept-encoding");
        assertThat(gz.headers().firstValue("content-encoding")).contains("gzip");
        assertThat(gz.headers().firstValue("vary")).contains("accept-encoding");
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        String expectedBr = Precompressor.brotliAvailable() ? "br" : "gzip";
        assertThat(br.headers().firstValue("content-encoding")).contains(expectedBr);
        assertThat(br.body().length).isLessThan(json.length / 3);
        assertThat(plain.headers().firstValue("etag"))
                .isNotEqualTo(gz.headers().firstValue("etag"))
                .isNotEqualTo(br.headers().firstValue("etag"));
        // a compressed representation answers its own conditional request
        String gzTag = gz.headers().firstValue("etag").orElseThrow();
        assertThat(fx.get("/assets/scene.gltf", "Accept-Encoding", "gzip", "If-None-Match", gzTag)
                        .statusCode())
                .isEqualTo(304);
        // already-compressed formats are never encoded
        assertThat(fx.get("/assets/hero.png", "Accept-Encoding", "gzip, br")
                        .headers()
                        .firstValue("content-encoding"))
                .isEmpty();
    }

    @Test
    void corsPreflightAllowsRangeAndIfNoneMatchAndResponsesExposeHeaders() {
        HttpResponse<byte[]> pre = fx.send(fx.req("/assets/hero.png")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://game.example")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "range, if-none-match")
                .build());
        assertThat(pre.statusCode()).isEqualTo(204);
        assertThat(pre.headers().firstValue("access-control-allow-origin")).contains("*");
        assertThat(pre.headers().firstValue("access-control-allow-headers").orElseThrow())
                .contains("Range")
                .contains("If-None-Match");
        HttpResponse<byte[]> r = fx.get("/assets/hero.png", "Origin", "http://game.example");
        assertThat(r.headers().firstValue("access-control-allow-origin")).contains("*");
        assertThat(r.headers().firstValue("access-control-expose-headers").orElseThrow())
                .contains("ETag")
                .contains("Content-Range")
                .contains("Content-Length");
        assertThat(r.headers().firstValue("cross-origin-resource-policy")).contains("cross-origin");
    }

    @Test
    void traversalAttemptsNeverReachAFile() throws IOException {
        Files.writeString(data.resolve("secret.txt"), "top secret");
        for (String target : new String[] {
            "/assets/../secret.txt",
            "/assets/%2e%2e/secret.txt",
            "/assets/%2E%2E%2Fsecret.txt",
            "/assets/..%5csecret.txt",
            "/assets/..\\secret.txt",
            "/plugins/../../secret.txt",
            "/objects/../../secret.txt",
            "/t/acme/../../../secret.txt",
        }) {
            String resp = fx.raw("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(resp).as(target).matches("(?s)HTTP/1.1 (400|404) .*");
            assertThat(resp).as(target).doesNotContain("top secret");
        }
    }

    @Test
    void malformedRequestGets400AndOversizedHeadersGet431() throws IOException {
        assertThat(fx.raw("GARBAGE\r\n\r\n")).startsWith("HTTP/1.1 400");
        String big = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
        String resp = fx.raw(big);
        assertThat(resp).startsWith("HTTP/1.1 431");
        assertThat(resp).contains("\"error\"");
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
            out.write((req + req + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(all.split("HTTP/1.1 200 OK", -1)).hasSize(4);
        }
    }

    @Test
    void requestSentOneByteAtATimeIsUnderstood() throws IOException {
        byte[] body = "trickled".getBytes(StandardCharsets.UTF_8);
        String head = "PUT /assets/trickle.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ServerFixture.ADMIN
                + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] all = (head + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            for (byte b : all) {
                out.write(b);
                out.flush();
            }
            String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(resp).startsWith("HTTP/1.1 201");
        }
        assertThat(fx.get("/assets/trickle.txt").body()).isEqualTo(body);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenOneRunsOffTheEventLoop() throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // the first is a catalog miss (answered from a virtual thread), the next two are immediate
            out.write(("GET /assets/not-cached-anywhere HTTP/1.1\r\nHost: x\r\n\r\n"
                            + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                            + "HEAD /assets/hero.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            int a = all.indexOf("HTTP/1.1 404");
            int b = all.indexOf("HTTP/1.1 200", a);
            int c = all.indexOf("HTTP/1.1 200", b + 1);
            assertThat(a).isZero();
            assertThat(b).isGreaterThan(a);
            assertThat(c).isGreaterThan(b);
            assertThat(all.substring(a, b)).contains("Asset not found");
            assertThat(all.substring(b, c)).contains("{\"status\":\"ok\"}");
        }
    }

    @Test
    void abortedUploadStoresNothing() throws Exception {
        long before = fx.server.stores().shared().stats().objects();
        long failedBefore = count400();
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /assets/partial.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ServerFixture.ADMIN
                            + "\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[300_000]);
            out.flush();
        }
        // the server answers the broken upload with 400 (to a closed socket) after cleaning up
        for (int i = 0; i < 400 && count400() == failedBefore; i++) {
            Thread.sleep(25);
        }
        assertThat(count400()).isGreaterThan(failedBefore);
        assertThat(fx.get("/assets/partial.bin").statusCode()).isEqualTo(404);
        assertThat(fx.server.stores().shared().stats().objects()).isEqualTo(before);
        assertThat(((dev.lode.core.LocalObjectStore) fx.server.stores().shared())
                        .root()
                        .resolve("tmp")
                        .toFile()
                        .list())
                .isEmpty();
    }

    private static long count400() {
        String m = ServerFixture.body(fx.get("/metrics"));
        var matcher = java.util.regex.Pattern.compile("lode_http_requests_total\\{code=\"400\"\\} (\\d+)")
                .matcher(m);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    @Test
    void largeUploadStreamsAndReadsBackIdentical() {
        byte[] big = new byte[24 << 20];
        new Random(7).nextBytes(big);
        HttpResponse<byte[]> put = fx.putAsset("big.bin", big);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(ServerFixture.body(put)).contains(Sha256.of(big).hex());
        HttpResponse<byte[]> get = fx.get("/assets/big.bin");
        assertThat(get.body()).isEqualTo(big);
    }

    @Test
    void healthzAndMetricsAnswer() {
        assertThat(ServerFixture.body(fx.get("/healthz"))).isEqualTo("{\"status\":\"ok\"}");
        fx.get("/assets/hero.png");
        HttpResponse<byte[]> m = fx.get("/metrics");
        assertThat(m.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        assertThat(ServerFixture.body(m))
                .contains("lode_http_requests_total{code=\"200\"}")
                .contains("lode_http_response_body_bytes_total ")
                .contains("lode_store_objects ");
    }
}
