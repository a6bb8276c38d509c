package dev.lode.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog's behaviour on SQLite; {@link PostgresCatalogTest} runs the same tests (those that go
 * through {@link #open()}) on PostgreSQL.
 */
class CatalogTest {
    @TempDir
    Path dir;

    /** A fresh, migrated catalog for one test. */
    Catalog open() {
        return Catalog.openSqlite(dir.resolve("c.db"));
    }

    private static ObjectId id(String s) {
        return Sha256.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void openingCreatesSchemaInWalModeAndReopeningKeepsVersion() throws Exception {
        Path db = dir.resolve("sub/catalog.db");
        try (Catalog c = Catalog.openSqlite(db)) {
            assertThat(c.schemaVersion()).isEqualTo(Migrations.available().size());
        }
        try (Catalog c = Catalog.openSqlite(db)) {
            assertThat(c.schemaVersion()).isEqualTo(Migrations.available().size());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Migrations.available().size());
        }
    }

    @Test
    void schemaNewerThanBuildIsRefused() throws Exception {
        Path db = dir.resolve("c.db");
        Catalog.openSqlite(db).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            st.execute("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 0)");
        }
        assertThatThrownBy(() -> Catalog.openSqlite(db))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("newer than this build");
    }

    @Test
    void migrationScriptsSplitIntoStatementsAndRejectAMissingSemicolon() {
        assertThat(Migrations.statements("-- c\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (\n y INT\n);\n"))
                .containsExactly("CREATE TABLE a (x INT)", "CREATE TABLE b (\n y INT\n)");
        assertThatThrownBy(() -> Migrations.statements("CREATE TABLE a (x INT)"))
                .isInstanceOf(CatalogException.class);
    }

    @Test
    void assetPutReplaceAndDelete() {
        try (Catalog c = open()) {
            assertThat(c.assets().find("icon-1")).isEmpty();
            AssetRecord a = c.assets().put("icon-1", id("a"), 1, "image/png");
            assertThat(a.objectId()).isEqualTo(id("a"));
            AssetRecord b = c.assets().put("icon-1", id("b"), 2, "image/png");
            assertThat(b.objectId()).isEqualTo(id("b"));
            assertThat(b.createdAt()).isEqualTo(a.createdAt());
            assertThat(c.assets().count()).isEqualTo(1);
            assertThat(c.assets().delete("icon-1")).contains(b);
            assertThat(c.assets().delete("icon-1")).isEmpty();
        }
    }

    @Test
    void encodingsAreRecordedPerSourceObject() {
        try (Catalog c = open()) {
            c.assets().putEncoding(new EncodedVariant(id("src"), "gzip", id("gz"), 10));
            c.assets().putEncoding(new EncodedVariant(id("src"), "br", id("br"), 8));
            c.assets().putEncoding(new EncodedVariant(id("src"), "gzip", id("gz2"), 9));
            assertThat(c.assets().encodings(id("src")))
                    .extracting(EncodedVariant::encoding, EncodedVariant::encodedId)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("br", id("br")),
                            org.assertj.core.groups.Tuple.tuple("gzip", id("gz2")));
        }
    }

    @Test
    void tenantKeysAuthenticateUntilRevokedAndAreStoredHashed() throws Exception {
        Path db = dir.resolve("c.db");
        String key1;
        String key2;
        try (Catalog c = Catalog.openSqlite(db)) {
            key1 = c.tenants().create("acme");
            key2 = c.tenants().issueKey("acme");
            assertThat(c.tenants().authenticate(key1)).contains("acme");
            assertThat(c.tenants().authenticate(key2)).contains("acme");
            assertThat(c.tenants().authenticate("lode_forged")).isEmpty();
            assertThat(c.tenants().revokeKey("acme", key1)).isTrue();
            assertThat(c.tenants().revokeKey("acme", key1)).isFalse();
            assertThat(c.tenants().authenticate(key1)).isEmpty();
            assertThat(c.tenants().authenticate(key2)).contains("acme");
            assertThatThrownBy(() -> c.tenants().create("acme"))
                    .isInstanceOf(TenantCatalog.TenantExistsException.class);
            assertThatThrownBy(() -> c.tenants().issueKey("nobody"))
                    .isInstanceOf(TenantCatalog.UnknownTenantException.class);
            assertThatThrownBy(() -> c.tenants().create("../x")).isInstanceOf(IllegalArgumentException.class);
            assertThat(c.tenants().signingSecret("acme"))
                    .get()
                    .satisfies(s -> assertThat(s).hasSize(32));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT key_hash FROM tenant_keys")) {
            while (rs.next()) {
                assertThat(rs.getString(1)).isNotIn(key1, key2).hasSize(64);
            }
        }
    }

    @Test
    void tenantUsageCountsBytesBeforeAndAfterDedup() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            Instant now = Instant.now();
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "r1/image/a.png"), id("x"), 100, "image/png", false, now));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "r2/image/a.png"), id("x"), 100, "image/png", false, now));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "r2/audio/b.ogg"), id("y"), 50, "audio/ogg", true, now));
            assertThat(c.tenantAssets().usage()).containsExactly(new TenantUsage("acme", 3, 250, 150));
            assertThat(c.tenantAssets().tenantHoldsObject("acme", id("x"))).isTrue();
            assertThat(c.tenantAssets().tenantHoldsObject("acme", id("z"))).isFalse();
        }
    }

    @Test
    void uploadPartsAreRetriedAndCompletionRecordsTheArtifact() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            TenantAssetKey key = TenantAssetKey.parse("acme", "run-7/video/intro.mp4");
            UploadRecord u = c.uploads().create(key, false);
            assertThat(u.state()).isEqualTo(UploadState.OPEN);
            c.uploads().putPart(u.uploadId(), new UploadPart(2, id("p2").hex(), 5));
            c.uploads().putPart(u.uploadId(), new UploadPart(1, id("p1").hex(), 5));
            c.uploads().putPart(u.uploadId(), new UploadPart(2, id("p2b").hex(), 6));
            assertThat(c.uploads().parts(u.uploadId()))
                    .extracting(UploadPart::number, UploadPart::size)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1, 5L), org.assertj.core.groups.Tuple.tuple(2, 6L));
            UploadRecord done = c.uploads()
                    .complete(
                            u.uploadId(),
                            new TenantAsset(key, id("all"), 11, "video/mp4", false, Instant.now()),
                            false);
            assertThat(done.state()).isEqualTo(UploadState.COMPLETE);
            assertThat(done.object()).contains(id("all"));
            assertThat(c.tenantAssets().find(key))
                    .get()
                    .extracting(TenantAsset::size)
                    .isEqualTo(11L);
            assertThatThrownBy(() -> c.uploads().putPart(u.uploadId(), new UploadPart(3, id("p3").hex(), 1)))
                    .isInstanceOf(UploadCatalog.UploadStateException.class)
                    .hasMessageContaining("COMPLETE");
            UploadRecord other = c.uploads().create(key, false);
            assertThat(c.uploads()
                            .end(other.uploadId(), UploadState.ABORTED, null)
                            .state())
                    .isEqualTo(UploadState.ABORTED);
        }
    }

    @Test
    void concurrentWritersAndReadersNeverSeeBusyErrors() throws Exception {
        try (Catalog c = open();
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.List<java.util.concurrent.Future<?>> all = new java.util.ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String name = "a-" + thread + "-" + i;
                        c.assets().put(name, id(name), i, "text/plain");
                        assertThat(c.assets().find(name)).isPresent();
                        c.assets().find("a-" + ((thread + 1) % 8) + "-" + i);
                    }
                    return null;
                }));
            }
            for (var f : all) {
                f.get();
            }
            assertThat(c.assets().count()).isEqualTo(400);
        }
    }

    @Test
    void tenantAssetKeysRejectTraversalAndUnknownTypes() {
        assertThatThrownBy(() -> TenantAssetKey.parse("acme", "../image/a.png"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TenantAssetKey.parse("acme", "r/pictures/a.png"))
                .hasMessageContaining("unknown artifact type");
        assertThatThrownBy(() -> TenantAssetKey.parse("acme", "r/image/.."))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TenantAssetKey.parse("acme", "r/model_3d/ship.glb").path()).isEqualTo("/t/acme/r/model_3d/ship.glb");
    }
}
