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

    /** A second catalog on the database {@link #open()} made last (another server sharing it). */
    Catalog reopen() {
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
            c.tenants().create("idle");
            c.lifecycle().addBytesServed(java.util.Map.of("acme", 100L));
            c.lifecycle().addBytesServed(java.util.Map.of("acme", 23L));
            assertThat(c.tenantAssets().usage())
                    .containsExactly(
                            new TenantUsage("acme", 3, 250, 150, 2, 123), new TenantUsage("idle", 0, 0, 0, 0, 0));
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
            assertThat(u.state()).isEqualTo(UploadState.PENDING);
            c.uploads().putPart(u.uploadId(), new UploadPart(2, id("p2").hex(), 5));
            c.uploads().putPart(u.uploadId(), new UploadPart(1, id("p1").hex(), 5));
            c.uploads().putPart(u.uploadId(), new UploadPart(2, id("p2b").hex(), 6));
            assertThat(c.uploads().find(u.uploadId()).orElseThrow().state()).isEqualTo(UploadState.UPLOADING);
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

    @Test
    void restartFailsOnlyTheSinglePutsThatNodeWasStreaming() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            UploadRecord mine = c.uploads().create(TenantAssetKey.parse("acme", "r/image/a.png"), false, "node-a");
            c.uploads().markUploading(mine.uploadId());
            UploadRecord minePending =
                    c.uploads().create(TenantAssetKey.parse("acme", "r/image/b.png"), false, "node-a");
            UploadRecord theirs = c.uploads().create(TenantAssetKey.parse("acme", "r/image/c.png"), false, "node-b");
            c.uploads().markUploading(theirs.uploadId());
            UploadRecord multipart = c.uploads().create(TenantAssetKey.parse("acme", "r/video/d.mp4"), false);
            c.uploads().putPart(multipart.uploadId(), new UploadPart(1, id("p").hex(), 1));

            assertThat(c.uploads().failInterrupted("node-a", "interrupted by server restart"))
                    .containsExactlyInAnyOrder(mine.uploadId(), minePending.uploadId());

            UploadRecord failed = c.uploads().find(mine.uploadId()).orElseThrow();
            assertThat(failed.state()).isEqualTo(UploadState.FAILED);
            assertThat(failed.error()).isEqualTo("interrupted by server restart");
            assertThat(c.uploads().find(theirs.uploadId()).orElseThrow().state())
                    .isEqualTo(UploadState.UPLOADING);
            assertThat(c.uploads().find(multipart.uploadId()).orElseThrow().state())
                    .isEqualTo(UploadState.UPLOADING);
            assertThat(c.uploads().parts(multipart.uploadId())).hasSize(1);
            assertThatThrownBy(() -> c.uploads().markUploading(mine.uploadId()))
                    .isInstanceOf(UploadCatalog.UploadStateException.class)
                    .hasMessageContaining("FAILED");
        }
    }

    @Test
    void inactiveUploadsAreAbortedOnlyIfStillInactive() throws Exception {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            UploadRecord u = c.uploads().create(TenantAssetKey.parse("acme", "r/video/a.mp4"), false);
            c.uploads().putPart(u.uploadId(), new UploadPart(1, id("p").hex(), 1));
            Thread.sleep(5);
            Instant cutoff = Instant.now();
            assertThat(c.uploads().inactiveSince(cutoff))
                    .extracting(UploadRecord::uploadId)
                    .containsExactly(u.uploadId());
            assertThat(c.uploads().inactiveSince(cutoff.minusSeconds(60))).isEmpty();
            assertThat(c.uploads().abortIfInactive(u.uploadId(), cutoff.minusSeconds(60), "stale"))
                    .isFalse();
            assertThat(c.uploads().abortIfInactive(u.uploadId(), cutoff, "stale"))
                    .isTrue();
            UploadRecord r = c.uploads().find(u.uploadId()).orElseThrow();
            assertThat(r.state()).isEqualTo(UploadState.ABORTED);
            assertThat(r.error()).isEqualTo("stale");
            assertThat(c.uploads().parts(u.uploadId())).isEmpty();
            assertThat(c.uploads().abortIfInactive(u.uploadId(), cutoff, "stale"))
                    .isFalse();
        }
    }

    @Test
    void runsPastRetentionAreListedAndRemovedWhole() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            Instant old = Instant.parse("2020-01-01T00:00:00Z");
            Instant fresh = Instant.now();
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "old/image/a.png"), id("a"), 10, "image/png", false, old));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "old/image/b.png"), id("b"), 5, "image/png", false, old));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "mixed/image/a.png"), id("a"), 10, "image/png", false, old));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "mixed/image/c.png"), id("c"), 7, "image/png", false, fresh));
            Instant cutoff = fresh.minusSeconds(3600);
            assertThat(c.lifecycle().runsOlderThan(cutoff)).containsExactly(new RunSummary("acme", "old", 2, 15, old));
            // a new artifact lands in the run before the delete: the run is kept whole
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "old/image/late.png"), id("l"), 1, "image/png", false, fresh));
            assertThat(c.lifecycle().deleteRunIfOlderThan("acme", "old", cutoff))
                    .isZero();
            c.tenantAssets().delete(TenantAssetKey.parse("acme", "old/image/late.png"));
            c.tenantAssets().setTags(TenantAssetKey.parse("acme", "old/image/a.png"), java.util.Set.of("level-1"));
            c.tenantAssets().setTags(TenantAssetKey.parse("acme", "mixed/image/a.png"), java.util.Set.of("level-1"));
            assertThat(c.lifecycle().deleteRunIfOlderThan("acme", "old", cutoff))
                    .isEqualTo(2);
            assertThat(c.tenantAssets().find(TenantAssetKey.parse("acme", "old/image/a.png")))
                    .isEmpty();
            // the removed run's tags went with it; a new artifact at the same path starts untagged
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "old/image/a.png"), id("n"), 1, "image/png", false, fresh));
            assertThat(c.tenantAssets().tags(TenantAssetKey.parse("acme", "old/image/a.png")))
                    .isEmpty();
            assertThat(c.tenantAssets().tags(TenantAssetKey.parse("acme", "mixed/image/a.png")))
                    .containsExactly("level-1");
            assertThat(c.tenantAssets().find(TenantAssetKey.parse("acme", "mixed/image/a.png")))
                    .isPresent();
        }
    }

    @Test
    void objectUsesNameEveryAssetArtifactAndRootOnce() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            c.assets().put("logo", id("logo"), 4, "image/png");
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "r/bundle/m.json"),
                            id("m"),
                            9,
                            "application/json",
                            false,
                            Instant.now()));
            c.assets().putEncoding(new EncodedVariant(id("logo"), "gzip", id("logo.gz"), 3));
            assertThat(c.lifecycle().objectUses())
                    .containsExactlyInAnyOrder(
                            new ObjectUse(null, null, id("logo"), "image/png"),
                            new ObjectUse("acme", "r", id("m"), "application/json"));
            assertThat(c.lifecycle().encodings())
                    .containsExactly(new EncodedVariant(id("logo"), "gzip", id("logo.gz"), 3));
            assertThat(c.lifecycle().deleteEncodingsOf(id("logo"))).isEqualTo(1);
            assertThat(c.lifecycle().encodings()).isEmpty();
            c.lifecycle().pin(id("tree"), "lode ingest");
            c.lifecycle().pin(id("tree"), "again");
            assertThat(c.lifecycle().roots()).extracting(GcRoot::objectId).containsExactly(id("tree"));
            assertThat(c.lifecycle().unpin(id("tree"))).isTrue();
            assertThat(c.lifecycle().roots()).isEmpty();
        }
    }

    @Test
    void negativeBytesServedAreRefusedAndChangeNothing() {
        try (Catalog c = open()) {
            c.tenants().create("acme");
            assertThatThrownBy(() -> c.lifecycle().addBytesServed(java.util.Map.of("acme", -1L)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("acme=-1");
            assertThat(c.lifecycle().bytesServed()).isEmpty();
        }
    }

    @Test
    void bytesServedFromTwoServersSharingTheCatalogAddUpExactly() throws Exception {
        try (Catalog first = open();
                Catalog second = reopen();
                var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            first.tenants().create("acme");
            var all = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < 4; t++) {
                Catalog c = t % 2 == 0 ? first : second;
                all.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        c.lifecycle().addBytesServed(java.util.Map.of("acme", 3L, "other", 1L));
                    }
                    return null;
                }));
            }
            for (var f : all) {
                f.get();
            }
            assertThat(second.lifecycle().bytesServed()).isEqualTo(java.util.Map.of("acme", 300L, "other", 100L));
            assertThat(first.tenantAssets().usage().get(0).bytesServed()).isEqualTo(300);
        }
    }
}
