package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.UploadRecord;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upload status lives in the catalog: a new server on the same data folder answers the same. */
class UploadStatusRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private static JsonNode json(HttpResponse<byte[]> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpResponse<byte[]> send(ServerFixture fx, String method, String path, String key, byte[] body) {
        return fx.send(fx.req(path)
                .header("Authorization", "Bearer " + key)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    private static ServerFixture start(Path data) {
        return ServerFixture.start(data, b -> b.nodeId("node-1").gcEvery(java.time.Duration.ZERO));
    }

    @Test
    void everyStatePersistsAcrossARestartAndMultipartResumes() {
        String key;
        String complete;
        String pending;
        String uploading;
        String aborted;
        byte[] part1 = "first part ".getBytes(StandardCharsets.UTF_8);
        byte[] part2 = "second part".getBytes(StandardCharsets.UTF_8);
        try (ServerFixture fx = start(data)) {
            key = fx.server.catalog().tenants().create("acme");
            HttpResponse<byte[]> put = send(fx, "PUT", "/t/acme/r1/image/a.png", key, "png bytes".getBytes());
            assertThat(put.statusCode()).isEqualTo(201);
            complete = json(put).get("uploadId").asText();
            pending = json(send(fx, "POST", "/t/acme/r1/video/p.mp4?uploads", key, null))
                    .get("uploadId")
                    .asText();
            uploading = json(send(fx, "POST", "/t/acme/r1/video/u.mp4?uploads", key, null))
                    .get("uploadId")
                    .asText();
            assertThat(send(fx, "PUT", "/t/acme/uploads/" + uploading + "/parts/1", key, part1)
                            .statusCode())
                    .isEqualTo(200);
            aborted = json(send(fx, "POST", "/t/acme/r1/video/x.mp4?uploads", key, null))
                    .get("uploadId")
                    .asText();
            assertThat(json(send(fx, "DELETE", "/t/acme/uploads/" + aborted, key, null))
                            .get("state")
                            .asText())
                    .isEqualTo("aborted");
        }

        try (ServerFixture fx = start(data)) {
            assertThat(status(fx, key, complete).get("state").asText()).isEqualTo("complete");
            assertThat(status(fx, key, complete).get("sha256").asText())
                    .isEqualTo(Sha256.of("png bytes".getBytes()).hex());
            assertThat(status(fx, key, pending).get("state").asText()).isEqualTo("pending");
            JsonNode u = status(fx, key, uploading);
            assertThat(u.get("state").asText()).isEqualTo("uploading");
            assertThat(u.get("parts")).hasSize(1);
            assertThat(status(fx, key, aborted).get("state").asText()).isEqualTo("aborted");
            // the multipart upload resumes on the new server
            assertThat(send(fx, "PUT", "/t/acme/uploads/" + uploading + "/parts/2", key, part2)
                            .statusCode())
                    .isEqualTo(200);
            HttpResponse<byte[]> done = send(fx, "POST", "/t/acme/uploads/" + uploading + "/complete", key, null);
            assertThat(done.statusCode()).isEqualTo(200);
            assertThat(json(done).get("state").asText()).isEqualTo("complete");
            assertThat(fx.get("/t/acme/r1/video/u.mp4", "Authorization", "Bearer " + key)
                            .body())
                    .isEqualTo("first part second part".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSinglePutThatDiedWithItsServerIsFailedByTheNextStart() {
        String key;
        try (ServerFixture fx = start(data)) {
            key = fx.server.catalog().tenants().create("acme");
        }
        // What a killed process leaves behind (a real kill cannot happen inside this JVM): a
        // streamed PUT of this node caught mid-body, one of another node sharing the catalog, and
        // a multipart upload with a part.
        String mine;
        String otherNode;
        String multipart;
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            UploadRecord m = c.uploads().create(TenantAssetKey.parse("acme", "r/video/big.mp4"), false, "node-1");
            c.uploads().markUploading(m.uploadId());
            mine = m.uploadId();
            UploadRecord o = c.uploads().create(TenantAssetKey.parse("acme", "r/video/o.mp4"), false, "node-2");
            c.uploads().markUploading(o.uploadId());
            otherNode = o.uploadId();
            multipart = c.uploads()
                    .create(TenantAssetKey.parse("acme", "r/video/m.mp4"), false)
                    .uploadId();
        }
        try (ServerFixture fx = start(data)) {
            assertThat(send(fx, "PUT", "/t/acme/uploads/" + multipart + "/parts/1", key, new byte[] {7})
                            .statusCode())
                    .isEqualTo(200);
            JsonNode failed = status(fx, key, mine);
            assertThat(failed.get("state").asText()).isEqualTo("failed");
            assertThat(failed.get("error").asText()).isEqualTo("interrupted by server restart");
            assertThat(status(fx, key, otherNode).get("state").asText()).isEqualTo("uploading");
            assertThat(status(fx, key, multipart).get("state").asText()).isEqualTo("uploading");
            // a client waiting on the path learns the failure at once
            HttpResponse<byte[]> byPath =
                    fx.get("/t/acme/uploads?path=r/video/big.mp4&wait=5", "Authorization", "Bearer " + key);
            assertThat(json(byPath).get("state").asText()).isEqualTo("failed");
        }
    }

    @Test
    void withoutANodeIdTheDataFolderAndHostNameIdentifyTheServerAcrossRestarts() {
        String key;
        try (ServerFixture fx = ServerFixture.start(data, b -> b.gcEvery(java.time.Duration.ZERO))) {
            key = fx.server.catalog().tenants().create("acme");
        }
        String id;
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            UploadRecord u = c.uploads()
                    .create(
                            TenantAssetKey.parse("acme", "r/video/big.mp4"),
                            false,
                            InterruptedUploads.defaultNode(data));
            c.uploads().markUploading(u.uploadId());
            id = u.uploadId();
        }
        try (ServerFixture fx = ServerFixture.start(data, b -> b.gcEvery(java.time.Duration.ZERO))) {
            assertThat(status(fx, key, id).get("state").asText()).isEqualTo("failed");
        }
    }

    @Test
    void aSinglePutIsPendingUntilItsBodyStartsAndAbortingItThenAnswers409() throws Exception {
        try (ServerFixture fx = start(data)) {
            String key = fx.server.catalog().tenants().create("acme");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", fx.server.port())) {
                s.setSoTimeout(20_000);
                var out = s.getOutputStream();
                out.write(("PUT /t/acme/r/bundle/late.zip HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                                + "\r\nContent-Length: 4\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                JsonNode pending = null;
                for (int i = 0; i < 400 && pending == null; i++) {
                    HttpResponse<byte[]> r =
                            fx.get("/t/acme/uploads?path=r/bundle/late.zip", "Authorization", "Bearer " + key);
                    if (r.statusCode() == 200) {
                        pending = json(r);
                    } else {
                        Thread.sleep(10);
                    }
                }
                assertThat(pending).isNotNull();
                assertThat(pending.get("state").asText()).isEqualTo("pending");
                String id = pending.get("uploadId").asText();
                assertThat(send(fx, "DELETE", "/t/acme/uploads/" + id, key, null)
                                .statusCode())
                        .isEqualTo(200);
                out.write("body".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 409").contains("ABORTED");
                assertThat(status(fx, key, id).get("state").asText()).isEqualTo("aborted");
            }
        }
    }

    private static JsonNode status(ServerFixture fx, String key, String uploadId) {
        HttpResponse<byte[]> r = fx.get("/t/acme/uploads/" + uploadId, "Authorization", "Bearer " + key);
        assertThat(r.statusCode()).isEqualTo(200);
        return json(r);
    }
}
