package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.catalog.Catalog;
import dev.lode.catalog.EncodedVariant;
import dev.lode.catalog.RunSummary;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.UploadPart;
import dev.lode.catalog.UploadRecord;
import dev.lode.catalog.UploadState;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.core.StoredObject;
import dev.lode.core.TreeIngester;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Garbage collection against a real local store and a real SQLite catalog. */
class GarbageCollectorTest {
    private static final Instant LONG_AGO = Instant.parse("2020-01-01T00:00:00Z");

    @TempDir
    Path dir;

    LocalObjectStore store;
    Catalog catalog;

    @BeforeEach
    void open() {
        store = LocalObjectStore.open(dir.resolve("store"));
        catalog = Catalog.openSqlite(dir.resolve("catalog.db"));
        catalog.tenants().create("acme");
    }

    @AfterEach
    void close() {
        catalog.close();
        store.close();
    }

    private GcReport gc(GcOptions options) {
        return new GarbageCollector(ObjectStores.single(store), catalog, options, Clock.systemUTC()).run();
    }

    private StoredObject put(String text) {
        return store.putBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes an object look as if it was written two hours ago, past the default grace period. */
    private void age(ObjectStore s, ObjectId id) throws IOException {
        Path p = ((LocalObjectStore) s).pathOf(id);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
    }

    private void artifact(String path, StoredObject o, Instant created) {
        catalog.tenantAssets()
                .put(new TenantAsset(
                        TenantAssetKey.parse("acme", path), o.id(), o.size(), "image/png", false, created));
    }

    @Test
    void runsPastRetentionAreRemovedAndTheirObjectsDeletedOncePastGrace() throws IOException {
        StoredObject oldOnly = put("only in the old run");
        StoredObject shared = put("in both runs");
        StoredObject fresh = put("only in the new run");
        artifact("old/image/a.png", oldOnly, LONG_AGO);
        artifact("old/image/b.png", shared, LONG_AGO);
        artifact("new/image/b.png", shared, Instant.now());
        artifact("new/image/c.png", fresh, Instant.now());
        for (StoredObject o : new StoredObject[] {oldOnly, shared, fresh}) {
            age(store, o.id());
        }

        GcReport r = gc(GcOptions.DEFAULTS);

        assertThat(r.runsRemoved()).isEqualTo(1);
        assertThat(r.assetsRemoved()).isEqualTo(2);
        assertThat(r.runs()).extracting(RunSummary::run).containsExactly("old");
        assertThat(r.objectsDeleted()).isEqualTo(1);
        assertThat(r.bytesFreed()).isEqualTo(oldOnly.size());
        assertThat(store.contains(oldOnly.id())).isFalse();
        assertThat(store.contains(shared.id())).isTrue();
        assertThat(store.contains(fresh.id())).isTrue();
        assertThat(catalog.tenantAssets().find(TenantAssetKey.parse("acme", "old/image/b.png")))
                .isEmpty();
        assertThat(catalog.tenantAssets().find(TenantAssetKey.parse("acme", "new/image/b.png")))
                .isPresent();
    }

    @Test
    void anObjectStoredButNotYetRecordedSurvivesACollectionInBetween() throws IOException {
        StoredObject garbage = put("really unreferenced");
        age(store, garbage.id());
        // an upload in progress: its object is in the store, its catalog row is not written yet
        StoredObject inFlight = put("upload in progress");

        GcReport between = gc(GcOptions.DEFAULTS);

        assertThat(store.contains(inFlight.id())).isTrue();
        assertThat(store.contains(garbage.id())).isFalse();
        assertThat(between.objectsDeleted()).isEqualTo(1);
        assertThat(between.objectsKeptYoung()).isEqualTo(1);
        // the upload finishes: from now on its row keeps the object, however old it gets
        artifact("r/image/up.png", inFlight, Instant.now());
        age(store, inFlight.id());
        gc(GcOptions.DEFAULTS);
        assertThat(store.contains(inFlight.id())).isTrue();
    }

    @Test
    void puttingBytesAgainThatAreHeldButUnreferencedRenewsTheirGrace() throws IOException {
        StoredObject old = put("bytes of a run removed long ago");
        age(store, old.id());
        // a new upload of the same bytes: the store already has them (no new write) ...
        StoredObject again = put("bytes of a run removed long ago");
        assertThat(again.created()).isFalse();
        // ... and a collection before the upload is recorded must not take them
        gc(GcOptions.DEFAULTS);
        assertThat(store.contains(old.id())).isTrue();
    }

    @Test
    void dryRunReportsWhatWouldBeRemovedAndChangesNothing() throws IOException {
        StoredObject a = put("old run object");
        StoredObject loose = put("loose object");
        artifact("old/image/a.png", a, LONG_AGO);
        age(store, a.id());
        age(store, loose.id());
        UploadRecord abandoned = catalog.uploads().create(TenantAssetKey.parse("acme", "r/video/v.mp4"), false);
        StoredObject part = put("part one of an abandoned upload");
        catalog.uploads()
                .putPart(abandoned.uploadId(), new UploadPart(1, part.id().hex(), part.size()));
        age(store, part.id());
        GcOptions past = GcOptions.DEFAULTS.withUploadExpiry(Duration.ofMillis(1));
        sleepPast(Duration.ofMillis(5));

        GcReport dry = gc(past.withDryRun(true));

        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.runsRemoved()).isEqualTo(1);
        assertThat(dry.assetsRemoved()).isEqualTo(1);
        assertThat(dry.objectsDeleted()).isEqualTo(3);
        assertThat(dry.uploadsAborted()).isEqualTo(1);
        assertThat(dry.bytesFreed()).isEqualTo(a.size() + loose.size() + part.size());
        assertThat(store.contains(a.id())).isTrue();
        assertThat(store.contains(loose.id())).isTrue();
        assertThat(catalog.tenantAssets().find(TenantAssetKey.parse("acme", "old/image/a.png")))
                .isPresent();
        assertThat(catalog.uploads().find(abandoned.uploadId()).orElseThrow().state())
                .isEqualTo(UploadState.UPLOADING);
        assertThat(store.contains(part.id())).isTrue();

        GcReport real = gc(past);

        assertThat(real.dryRun()).isFalse();
        assertThat(real)
                .usingRecursiveComparison()
                .ignoringFields("dryRun", "took")
                .isEqualTo(dry);
        assertThat(store.contains(a.id())).isFalse();
        assertThat(catalog.uploads().find(abandoned.uploadId()).orElseThrow().state())
                .isEqualTo(UploadState.ABORTED);
        assertThat(store.contains(part.id())).isFalse();
    }

    @Test
    void abandonedUploadsAreAbortedAfterADayWithTheirPartsAndActiveOnesKept() throws IOException {
        UploadRecord stale = catalog.uploads().create(TenantAssetKey.parse("acme", "r/video/a.mp4"), false);
        StoredObject stalePart = put("a part nobody will complete");
        catalog.uploads()
                .putPart(stale.uploadId(), new UploadPart(1, stalePart.id().hex(), stalePart.size()));
        Clock tomorrow = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
        GcReport r = new GarbageCollector(ObjectStores.single(store), catalog, GcOptions.DEFAULTS, tomorrow).run();
        assertThat(r.uploads()).containsExactly(stale.uploadId());
        UploadRecord after = catalog.uploads().find(stale.uploadId()).orElseThrow();
        assertThat(after.state()).isEqualTo(UploadState.ABORTED);
        assertThat(after.error()).contains("no activity for 1d");
        // a day later the aborted upload's part is unreferenced and past the grace period
        assertThat(store.contains(stalePart.id())).isFalse();

        UploadRecord active = catalog.uploads().create(TenantAssetKey.parse("acme", "r/video/b.mp4"), false);
        StoredObject activePart = put("a part of an upload still going on");
        catalog.uploads()
                .putPart(active.uploadId(), new UploadPart(1, activePart.id().hex(), activePart.size()));
        age(store, activePart.id());
        GcReport later = gc(GcOptions.DEFAULTS);
        assertThat(later.uploadsAborted()).isZero();
        assertThat(store.contains(activePart.id()))
                .as("part of an active upload")
                .isTrue();
        assertThat(catalog.uploads()
                        .find(active.uploadId())
                        .orElseThrow()
                        .state()
                        .isActive())
                .isTrue();
    }

    @Test
    void aManifestNamedByAnAssetOrPinnedKeepsEveryEntryAndChunkMap() throws IOException {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("sub"));
        byte[] big = new byte[600_000]; // several chunks: the entry gets a chunk map object
        new java.util.Random(1).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Files.writeString(tree.resolve("sub/readme.txt"), "hello");
        TreeIngester.Result ingested = TreeIngester.builder(store).build().ingest(tree);
        Path tree2 = dir.resolve("tree2");
        Files.createDirectories(tree2);
        Files.writeString(tree2.resolve("pinned.txt"), "kept by a root");
        TreeIngester.Result pinned = TreeIngester.builder(store).build().ingest(tree2);
        StoredObject loose = put("nobody's");
        store.forEach(id -> {
            try {
                age(store, id);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long before = store.stats().objects();
        catalog.assets()
                .put(
                        "build-1",
                        ingested.manifestId(),
                        store.size(ingested.manifestId()).getAsLong(),
                        "application/json");
        catalog.lifecycle().pin(pinned.manifestId(), "lode ingest");

        GcReport r = gc(GcOptions.DEFAULTS);

        assertThat(r.objectsDeleted()).isEqualTo(1);
        assertThat(store.contains(loose.id())).isFalse();
        assertThat(store.stats().objects()).isEqualTo(before - 1);
        for (var e : ingested.manifest().entries()) {
            assertThat(store.contains(e.sha256())).isTrue();
            if (e.chunkMap() != null) {
                assertThat(store.contains(e.chunkMap())).isTrue();
            }
        }
        assertThat(ingested.manifest().entry("big.bin").orElseThrow().chunkMap())
                .isNotNull();
        assertThat(store.contains(pinned.manifest().entries().get(0).sha256())).isTrue();

        catalog.lifecycle().unpin(pinned.manifestId());
        gc(GcOptions.DEFAULTS);
        assertThat(store.contains(pinned.manifestId())).isFalse();
        assertThat(store.contains(pinned.manifest().entries().get(0).sha256())).isFalse();
    }

    @Test
    void anEncodingLivesWithItsSourceAndGoesWithIt() throws IOException {
        StoredObject source = put("{\"a\": \"json text that compresses\"}");
        StoredObject gz = put("pretend gzip of the source");
        StoredObject orphanSource = put("source of a removed run");
        StoredObject orphanGz = put("pretend gzip of the removed source");
        catalog.assets().put("doc", source.id(), source.size(), "application/json");
        catalog.assets().putEncoding(new EncodedVariant(source.id(), "gzip", gz.id(), gz.size()));
        catalog.assets().putEncoding(new EncodedVariant(orphanSource.id(), "gzip", orphanGz.id(), orphanGz.size()));
        for (StoredObject o : new StoredObject[] {source, gz, orphanSource, orphanGz}) {
            age(store, o.id());
        }

        GcReport r = gc(GcOptions.DEFAULTS);

        assertThat(r.objectsDeleted()).isEqualTo(2);
        assertThat(store.contains(source.id())).isTrue();
        assertThat(store.contains(gz.id())).isTrue();
        assertThat(store.contains(orphanSource.id())).isFalse();
        assertThat(store.contains(orphanGz.id())).isFalse();
        assertThat(catalog.assets().encodings(orphanSource.id())).isEmpty();
        assertThat(catalog.assets().encodings(source.id())).hasSize(1);
    }

    @Test
    void anEncodingOfASourceStillInGraceIsKept() throws IOException {
        // precompression records the encoding before the upload's artifact row exists
        StoredObject source = put("freshly uploaded source");
        StoredObject gz = put("its gzip");
        catalog.assets().putEncoding(new EncodedVariant(source.id(), "gzip", gz.id(), gz.size()));
        age(store, gz.id());
        gc(GcOptions.DEFAULTS);
        assertThat(store.contains(source.id())).isTrue();
        assertThat(store.contains(gz.id())).isTrue();
        assertThat(catalog.assets().encodings(source.id())).hasSize(1);
    }

    @Test
    void objectsOfUnknownAgeAreNeverDeleted() throws IOException {
        StoredObject o = put("ageless");
        age(store, o.id());
        ObjectStore ageless = new ForwardingStore(store);
        GcReport r = new GarbageCollector(ObjectStores.single(ageless), catalog, GcOptions.DEFAULTS, Clock.systemUTC())
                .run();
        assertThat(r.objectsDeleted()).isZero();
        assertThat(r.objectsKeptUnknownAge()).isEqualTo(1);
        assertThat(store.contains(o.id())).isTrue();
    }

    @Test
    void withAStorePerTenantEachKeepsOnlyWhatItsOwnerReferences() throws IOException {
        LocalObjectStore shared = store;
        Map<String, LocalObjectStore> perTenant = new HashMap<>();
        catalog.tenants().create("globex");
        for (String t : new String[] {"acme", "globex"}) {
            perTenant.put(t, LocalObjectStore.open(dir.resolve("tenant-" + t)));
        }
        try {
            ObjectStores stores = new ObjectStores() {
                @Override
                public ObjectStore shared() {
                    return shared;
                }

                @Override
                public ObjectStore tenant(String tenant) {
                    return perTenant.get(tenant);
                }

                @Override
                public boolean isSingle() {
                    return false;
                }

                @Override
                public void close() {}
            };
            byte[] bytes = "the same bytes everywhere".getBytes(StandardCharsets.UTF_8);
            StoredObject inShared = shared.putBytes(bytes);
            StoredObject inAcme = perTenant.get("acme").putBytes(bytes);
            StoredObject inGlobex = perTenant.get("globex").putBytes(bytes);
            catalog.assets().put("logo", inShared.id(), inShared.size(), "image/png");
            catalog.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "r/image/logo.png"),
                            inAcme.id(),
                            inAcme.size(),
                            "image/png",
                            false,
                            Instant.now()));
            age(shared, inShared.id());
            age(perTenant.get("acme"), inAcme.id());
            age(perTenant.get("globex"), inGlobex.id());

            GcReport r = new GarbageCollector(stores, catalog, GcOptions.DEFAULTS, Clock.systemUTC()).run();

            assertThat(r.objectsDeleted()).isEqualTo(1);
            assertThat(shared.contains(inShared.id())).isTrue();
            assertThat(perTenant.get("acme").contains(inAcme.id())).isTrue();
            assertThat(perTenant.get("globex").contains(inGlobex.id())).isFalse();
        } finally {
            perTenant.values().forEach(LocalObjectStore::close);
        }
    }

    @Test
    void optionsRefuseNonPositiveDurations() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GcOptions.DEFAULTS.withGrace(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grace");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GcOptions.DEFAULTS.withOlderThan(Duration.ofDays(-1)))
                .hasMessageContaining("--older-than");
    }

    private static void sleepPast(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
