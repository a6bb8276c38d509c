package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.TenantUsage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-tenant usage on a real server: stored bytes, dedup, object count and bytes served. */
class TenantUsageTest {
    @TempDir
    Path data;

    private static HttpResponse<byte[]> put(ServerFixture fx, String path, String key, byte[] body) {
        return fx.send(fx.req(path)
                .header("Authorization", "Bearer " + key)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    @Test
    void usageCountsDedupObjectsAndBytesServedFullAndRanged() {
        byte[] texture = new byte[100_000];
        byte[] model = new byte[30_000];
        new Random(7).nextBytes(texture);
        new Random(8).nextBytes(model);
        try (ServerFixture fx = ServerFixture.start(data, b -> b.gcEvery(Duration.ZERO))) {
            String acme = fx.server.catalog().tenants().create("acme");
            fx.server.catalog().tenants().create("globex");
            assertThat(put(fx, "/t/acme/r1/texture/wall.png", acme, texture).statusCode())
                    .isEqualTo(201);
            assertThat(put(fx, "/t/acme/r2/texture/wall.png", acme, texture).statusCode())
                    .isEqualTo(200);
            assertThat(put(fx, "/t/acme/r2/model_3d/ship.glb", acme, model).statusCode())
                    .isEqualTo(201);

            HttpResponse<byte[]> full = fx.get("/t/acme/r1/texture/wall.png", "Authorization", "Bearer " + acme);
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.body()).hasSize(texture.length);
            HttpResponse<byte[]> ranged =
                    fx.get("/t/acme/r1/texture/wall.png", "Authorization", "Bearer " + acme, "Range", "bytes=100-1099");
            assertThat(ranged.statusCode()).isEqualTo(206);
            assertThat(ranged.body()).hasSize(1000);
            // neither a denied read nor a 304 counts
            assertThat(fx.get("/t/acme/r1/texture/wall.png").statusCode()).isEqualTo(403);
            String etag = full.headers().firstValue("etag").orElseThrow();
            assertThat(fx.get("/t/acme/r1/texture/wall.png", "Authorization", "Bearer " + acme, "If-None-Match", etag)
                            .statusCode())
                    .isEqualTo(304);

            long served = texture.length + 1000;
            TenantUsage expected = new TenantUsage(
                    "acme", 3, 2L * texture.length + model.length, texture.length + model.length, 2, served);
            // before the flush /metrics already adds this server's counts
            String metrics = ServerFixture.body(fx.get("/metrics"));
            assertThat(metrics)
                    .contains("lode_tenant_served_bytes_total{tenant=\"acme\"} " + served + "\n")
                    .contains("lode_tenant_objects{tenant=\"acme\"} 2\n")
                    .contains("lode_tenant_assets{tenant=\"acme\"} 3\n")
                    .contains("lode_tenant_logical_bytes{tenant=\"acme\"} " + expected.logicalBytes() + "\n")
                    .contains("lode_tenant_stored_bytes{tenant=\"acme\"} " + expected.storedBytes() + "\n")
                    .contains("lode_tenant_served_bytes_total{tenant=\"globex\"} 0\n");
            fx.server.flushUsage();
            assertThat(fx.server.catalog().tenantAssets().usage())
                    .containsExactly(expected, new TenantUsage("globex", 0, 0, 0, 0, 0));
            assertThat(ServerFixture.body(fx.get("/metrics")))
                    .contains("lode_tenant_served_bytes_total{tenant=\"acme\"} " + served + "\n");
            // a HEAD sends no body bytes
            fx.send(fx.req("/t/acme/r1/texture/wall.png")
                    .header("Authorization", "Bearer " + acme)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(fx.get("/t/acme/r2/model_3d/ship.glb", "Authorization", "Bearer " + acme)
                            .statusCode())
                    .isEqualTo(200);
        }
        // closing flushed the rest: a process reading the catalog alone sees everything
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            assertThat(c.tenantAssets().usage().get(0).bytesServed()).isEqualTo(texture.length + 1000L + model.length);
        }
    }

    @Test
    void scheduledCollectionRemovesRunsPastRetention() throws Exception {
        try (ServerFixture fx = ServerFixture.start(data, b -> b.gcEvery(Duration.ofMillis(200)))) {
            Catalog c = fx.server.catalog();
            c.tenants().create("acme");
            var stored = fx.server.stores().shared().putBytes("old".getBytes());
            TenantAssetKey old = TenantAssetKey.parse("acme", "ancient/image/a.png");
            c.tenantAssets()
                    .put(new TenantAsset(
                            old,
                            stored.id(),
                            stored.size(),
                            "image/png",
                            false,
                            Instant.parse("2020-01-01T00:00:00Z")));
            TenantAssetKey fresh = TenantAssetKey.parse("acme", "today/image/a.png");
            c.tenantAssets().put(new TenantAsset(fresh, stored.id(), stored.size(), "image/png", false, Instant.now()));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (c.tenantAssets().find(old).isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(c.tenantAssets().find(old)).isEmpty();
            assertThat(c.tenantAssets().find(fresh)).isPresent();
            // young and referenced: the object stays
            assertThat(fx.server.stores().shared().contains(stored.id())).isTrue();
        }
    }
}
