package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamerTest {
    @TempDir
    Path dir;

    final List<StreamEvent> events = Collections.synchronizedList(new ArrayList<>());

    Streamer.Builder direct(Fixture f) {
        return Streamer.builder(f.catalog(), AssetSource.objectStore(f.store, Runnable::run))
                .workers(Workers.direct())
                .listener(events::add);
    }

    List<String> loadedOrder() {
        return events.stream()
                .filter(e -> e instanceof StreamEvent.Loaded)
                .map(e -> ((StreamEvent.Loaded) e).path())
                .toList();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void loadsVerifiesDecompressesAndDecodesAnImage() throws Exception {
        Fixture f = new Fixture(dir);
        f.asset("tex/a.png", "image/png", LoadersTest.png(8, 4))
                .compression(Compression.ZSTD)
                .add();
        f.asset("data/b.bin", "application/octet-stream", bytes(5000, 1))
                .compression(Compression.LZ4)
                .add();
        try (Streamer s = Streamer.builder(f.catalog(), AssetSource.objectStore(f.store, Runnable::run))
                .listener(events::add)
                .build()) {
            AssetHandle a = s.acquire("tex/a.png", "test");
            AssetHandle b = s.acquire("data/b.bin", "test");
            Loaded la = a.ready().get(10, TimeUnit.SECONDS);
            Loaded lb = b.ready().get(10, TimeUnit.SECONDS);
            assertThat(la.placeholder()).isFalse();
            assertThat(((BufferedImage) la.value()).getWidth()).isEqualTo(8);
            assertThat((byte[]) lb.value()).isEqualTo(bytes(5000, 1));
            assertThat(a.state()).isInstanceOf(AssetState.Ready.class);
            a.release();
            b.release();
            assertThat(s.leakReport()).isEmpty();
        }
    }

    @Test
    void dependenciesAreReadyBeforeTheAssetThatNeedsThem() throws Exception {
        Fixture f = new Fixture(dir);
        f.asset("tex/t.png", "image/png", LoadersTest.png(2, 2)).add();
        f.asset("mat/m.json", "application/json", "{}".getBytes())
                .deps("tex/t.png")
                .add();
        f.asset("model/x.glb", "model/gltf-binary", LoadersTest.glb(LoadersTest.GLTF, 8))
                .deps("mat/m.json")
                .add();
        try (Streamer s = direct(f).build()) {
            AssetHandle h = s.acquire("model/x.glb", "level");
            Loaded l = h.ready().get(1, TimeUnit.SECONDS);
            assertThat(((GltfInfo) l.value()).meshes()).isEqualTo(1);
            assertThat(loadedOrder()).containsExactly("tex/t.png", "mat/m.json", "model/x.glb");
            assertThat(s.state("tex/t.png")).isInstanceOf(AssetState.Ready.class);
            h.release();
        }
    }

    @Test
    void aFailedDependencyFailsOnlyItsDependantsAndNamesTheChain() throws Exception {
        Fixture f = new Fixture(dir);
        f.asset("tex/gone.png", "image/png", LoadersTest.png(3, 3)).missing().add();
        f.asset("tex/ok.png", "image/png", LoadersTest.png(2, 2)).add();
        f.asset("mat/bad.json", "application/json", "{1}".getBytes())
                .deps("tex/gone.png")
                .add();
        f.asset("model/bad.glb", "model/gltf-binary", LoadersTest.glb(LoadersTest.GLTF, 0))
                .deps("mat/bad.json")
                .add();
        f.asset("model/good.glb", "model/gltf-binary", LoadersTest.glb(LoadersTest.GLTF, 4))
                .deps("tex/ok.png")
                .add();
        try (Streamer s = direct(f).build()) {
            AssetHandle bad = s.acquire("model/bad.glb", "a");
            AssetHandle good = s.acquire("model/good.glb", "b");
            Loaded lb = bad.ready().get(1, TimeUnit.SECONDS);
            Loaded lg = good.ready().get(1, TimeUnit.SECONDS);
            assertThat(lb.placeholder()).isTrue();
            assertThat(lb.value()).isInstanceOf(GltfInfo.class);
            assertThat(lb.error().chain()).containsExactly("model/bad.glb", "mat/bad.json", "tex/gone.png");
            assertThat(lb.error())
                    .hasMessageContaining("model/bad.glb → mat/bad.json → tex/gone.png")
                    .hasMessageContaining("not found");
            assertThat(lg.placeholder()).isFalse();
            assertThat(bad.state()).isInstanceOf(AssetState.Failed.class);
            assertThat(events)
                    .anyMatch(e ->
                            e instanceof StreamEvent.LoadFailed lf && lf.path().equals("tex/gone.png"));
            bad.release();
            good.release();
        }
    }

    @Test
    void corruptObjectsAndUnknownPathsGivePlaceholdersNotExceptions() throws Exception {
        Fixture f = new Fixture(dir);
        ObjectId id = f.asset("tex/c.png", "image/png", LoadersTest.png(3, 3)).add();
        f.asset("mat/dangling.json", "application/json", "{}".getBytes())
                .deps("nowhere/x.png")
                .add();
        Files.write(f.store.pathOf(id), "tampered".getBytes());
        try (Streamer s = direct(f).build()) {
            AssetHandle c = s.acquire("tex/c.png", "t");
            AssetHandle u = s.acquire("no/such/asset", "t");
            AssetHandle d = s.acquire("mat/dangling.json", "t");
            Loaded lc = c.ready().get(1, TimeUnit.SECONDS);
            assertThat(lc.placeholder()).isTrue();
            assertThat(lc.error()).hasMessageContaining("tex/c.png").hasMessageContaining("hash mismatch");
            assertThat(((BufferedImage) lc.value()).getWidth()).isEqualTo(1);
            assertThat(u.ready().get(1, TimeUnit.SECONDS).error())
                    .hasMessageContaining("no/such/asset: not in the catalog");
            assertThat(d.ready().get(1, TimeUnit.SECONDS).error().chain())
                    .containsExactly("mat/dangling.json", "nowhere/x.png");
            assertThat(s.stats().failed()).isEqualTo(2);
            c.release();
            u.release();
            d.release();
        }
    }

    @Test
    void queuedLoadsAreCancelledOnReleaseAndInFlightOnesStopAtTheNextStage() throws Exception {
        Fixture f = new Fixture(dir);
        f.asset("a.bin", "application/octet-stream", bytes(100, 1)).add();
        f.asset("b.bin", "application/octet-stream", bytes(100, 2)).add();
        Fixture.GatedSource gate = new Fixture.GatedSource(AssetSource.objectStore(f.store, Runnable::run));
        try (Streamer s = Streamer.builder(f.catalog(), gate)
                .workers(Workers.direct())
                .maxInFlightReads(1)
                .build()) {
            AssetHandle a = s.acquire("a.bin", "t");
            AssetHandle b = s.acquire("b.bin", "t");
            assertThat(gate.started).containsExactly("a.bin");
            assertThat(b.state()).isInstanceOf(AssetState.Queued.class);
            b.release();
            assertThat(s.state("b.bin")).isInstanceOf(AssetState.Idle.class);
            assertThat(b.ready()).isCompletedExceptionally();
            a.release();
            gate.finish("a.bin");
            assertThat(s.state("a.bin")).isInstanceOf(AssetState.Idle.class);
            assertThat(gate.started).containsExactly("a.bin");
            assertThat(s.stats().cancelled()).isEqualTo(2);
            assertThat(s.stats().cpu().bytes()).isZero();
        }
    }

    @Test
    void observerOrdersTheQueueAndReprioritisesAsItMoves() {
        Fixture f = new Fixture(dir);
        f.asset("near.bin", "application/octet-stream", bytes(10, 1))
                .bounds(0, 0, 10, 1)
                .add();
        f.asset("far.bin", "application/octet-stream", bytes(10, 2))
                .bounds(0, 0, 500, 1)
                .add();
        f.asset("behind.bin", "application/octet-stream", bytes(10, 3))
                .bounds(0, 0, -20, 1)
                .add();
        f.asset("first.bin", "application/octet-stream", bytes(10, 4))
                .bounds(0, 0, 5, 1)
                .add();
        Fixture.GatedSource gate = new Fixture.GatedSource(AssetSource.objectStore(f.store, Runnable::run));
        try (Streamer s = Streamer.builder(f.catalog(), gate)
                .workers(Workers.direct())
                .maxInFlightReads(1)
                .build()) {
            Observer lookingPlusZ = new Observer(Vec3.ZERO, new Vec3(0, 0, 1), Vec3.ZERO, 1.0, 1000);
            s.updateObserver(lookingPlusZ);
            AssetHandle first = s.acquire("first.bin", "t");
            List<AssetHandle> hs =
                    List.of(s.acquire("far.bin", "t"), s.acquire("behind.bin", "t"), s.acquire("near.bin", "t"));
            gate.finish("first.bin");
            // near and in view beats behind (closer but out of view) and far.
            assertThat(gate.started).containsExactly("first.bin", "near.bin");
            // Turn around: behind is now in view and near.
            s.updateObserver(new Observer(Vec3.ZERO, new Vec3(0, 0, -1), Vec3.ZERO, 1.0, 1000));
            gate.finish("near.bin");
            assertThat(gate.started).containsExactly("first.bin", "near.bin", "behind.bin");
            gate.finish("behind.bin");
            gate.finish("far.bin");
            first.release();
            hs.forEach(AssetHandle::release);
        }
    }

    @Test
    void referencedAssetsAreNeverEvictedAndReleasedOnesGoByPolicy() {
        for (EvictionPolicy policy : EvictionPolicy.values()) {
            Fixture f = new Fixture(dir.resolve(policy.name()));
            for (int i = 0; i < 4; i++) {
                f.asset("a" + i + ".bin", "application/octet-stream", bytes(1000, i))
                        .add();
            }
            events.clear();
            try (Streamer s = direct(f).cpuTier(3000, policy).build()) {
                AssetHandle a0 = s.acquire("a0.bin", "keep");
                // a1 is used three times, a2 once, then both released.
                for (int k = 0; k < 3; k++) {
                    s.acquire("a1.bin", "x").release();
                }
                s.acquire("a2.bin", "x").release();
                s.acquire("a1.bin", "x").release();
                AssetHandle a3 = s.acquire("a3.bin", "x");
                assertThat(a3.level()).isZero();
                String evicted = events.stream()
                        .filter(e -> e instanceof StreamEvent.Evicted)
                        .map(e -> ((StreamEvent.Evicted) e).path())
                        .findFirst()
                        .orElseThrow();
                // LRU: a2 was used longest ago; LFU: a2 was used least.
                assertThat(evicted).isEqualTo("a2.bin");
                assertThat(s.state("a0.bin")).isInstanceOf(AssetState.Ready.class);
                assertThat(s.stats().cpu().bytes()).isLessThanOrEqualTo(3000);
                assertThat(s.stats().cpu().pinned()).isEqualTo(2);
                a0.release();
                a3.release();
            }
        }
    }

    @Test
    void whenEverythingIsReferencedACoarserLodIsUsedAndAnEventSaysSo() throws Exception {
        Fixture f = new Fixture(dir);
        f.asset("m.lod0", "application/octet-stream", bytes(100, 1)).add();
        f.asset("m.lod1", "application/octet-stream", bytes(2500, 2)).add();
        f.asset("m", "application/octet-stream", bytes(10, 3))
                .variants("m.lod0", "m.lod1")
                .add();
        f.asset("big.bin", "application/octet-stream", bytes(3000, 4)).add();
        try (Streamer s = direct(f).cpuTier(4000, EvictionPolicy.LRU).build()) {
            AssetHandle big = s.acquire("big.bin", "hud");
            AssetHandle m = s.acquire("m", "world");
            assertThat(m.ready().get(1, TimeUnit.SECONDS).level()).isZero();
            assertThat(m.level()).isZero();
            assertThat(events)
                    .anyMatch(e -> e instanceof StreamEvent.LodDowngraded d
                            && d.path().equals("m")
                            && d.wanted() == 1
                            && d.used() == 0
                            && d.tier().equals("cpu"));
            assertThat(s.stats().cpu().bytes()).isLessThanOrEqualTo(4000);
            // Once the HUD lets go, the fine level fits and replaces the coarse one.
            big.release();
            s.updateObserver(new Observer(Vec3.ZERO, new Vec3(0, 0, 1), Vec3.ZERO, 1.0, 1000));
            assertThat(m.level()).isEqualTo(1);
            m.release();
        }
    }

    @Test
    void handlesAreCountedAndLeaksAreReportedByOwner() {
        Fixture f = new Fixture(dir);
        f.asset("a.bin", "application/octet-stream", bytes(10, 1)).add();
        try (Streamer s = direct(f).build()) {
            AssetHandle h1 = s.acquire("a.bin", "door#1");
            AssetHandle h2 = s.acquire("a.bin", "door#2");
            assertThat(s.holders("a.bin")).containsExactly("door#1", "door#2");
            h1.release();
            assertThatThrownBy(h1::release)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("door#1");
            assertThat(s.state("a.bin")).isInstanceOf(AssetState.Ready.class);
            assertThat(s.stats().cpu().pinned()).isEqualTo(1);
            assertThat(s.leakReport()).contains("1 handle(s) never released").contains("door#2 holds [a.bin]");
            h2.close();
            h2.close();
            assertThat(s.leakReport()).isEmpty();
            assertThat(s.stats().cpu().pinned()).isZero();
        }
    }

    @Test
    void gpuAssetsGoToTheGpuTierWithinItsBudget() throws Exception {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 5; i++) {
            f.asset("t" + i + ".png", "image/png", LoadersTest.png(16, 16)).add();
        }
        CountingGpu gpu = new CountingGpu(3 * 16 * 16 * 4);
        try (Streamer s = direct(f).gpuTier(gpu, EvictionPolicy.LRU).build()) {
            for (int i = 0; i < 5; i++) {
                AssetHandle h = s.acquire("t" + i + ".png", "t");
                assertThat(h.ready().get(1, TimeUnit.SECONDS).placeholder()).isFalse();
                assertThat(h.state()).isEqualTo(new AssetState.Ready(true, true));
                h.release();
            }
            assertThat(gpu.peakBytes()).isLessThanOrEqualTo(gpu.budgetBytes());
            assertThat(s.stats().gpu().evictions()).isEqualTo(2);
        }
        assertThat(gpu.bytes()).isZero();
    }

    @Test
    void packSourceAndDiskCacheServeVerifiedObjects() throws Exception {
        Fixture f = new Fixture(dir);
        List<byte[]> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] raw = bytes(2000, i);
            f.asset("p" + i + ".bin", "application/octet-stream", raw)
                    .compression(Compression.ZSTD)
                    .add();
            stored.add(Compression.ZSTD.compress(raw));
        }
        Path packFile = dir.resolve("assets.pack");
        PackFile.write(packFile, stored);
        LocalObjectStore cache =
                LocalObjectStore.builder(dir.resolve("cache")).durable(false).build();
        try (PackFile pack = PackFile.open(packFile)) {
            assertThat(pack.size()).isEqualTo(3);
            AssetSource remote = new AssetSource() {
                final AssetSource inner = AssetSource.pack(pack, Runnable::run);

                @Override
                public java.util.concurrent.CompletableFuture<byte[]> read(CatalogEntry entry) {
                    return inner.read(entry);
                }

                @Override
                public boolean local() {
                    return false;
                }
            };
            for (int round = 0; round < 2; round++) {
                try (Streamer s = Streamer.builder(f.catalog(), remote)
                        .workers(Workers.direct())
                        .diskCache(cache, 1_000_000, EvictionPolicy.LRU)
                        .build()) {
                    for (int i = 0; i < 3; i++) {
                        AssetHandle h = s.acquire("p" + i + ".bin", "t");
                        assertThat((byte[]) h.ready().get(5, TimeUnit.SECONDS).value())
                                .isEqualTo(bytes(2000, i));
                        h.release();
                    }
                    TierStats d = s.stats().disk();
                    if (round == 0) {
                        assertThat(d.misses()).isEqualTo(3);
                    } else {
                        assertThat(d.hits()).isEqualTo(3);
                    }
                    assertThat(d.count()).isEqualTo(3);
                }
            }
        }
    }

    @Test
    void badPackFilesAreRejected() throws IOException {
        Path p = dir.resolve("bad.pack");
        Files.write(p, "LODEPAK1\u0005\0\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> PackFile.open(p))
                .isInstanceOf(dev.lode.core.FormatException.class)
                .hasMessageContaining("overruns");
        Files.write(p, "nope".getBytes());
        assertThatThrownBy(() -> PackFile.open(p)).isInstanceOf(dev.lode.core.LodeException.class);
        Path good = dir.resolve("good.pack");
        PackFile.write(good, List.of("x".getBytes()));
        try (PackFile pack = PackFile.open(good)) {
            assertThatThrownBy(() -> pack.read(dev.lode.core.Sha256.of("y".getBytes())))
                    .isInstanceOf(dev.lode.core.ObjectNotFoundException.class);
        }
    }

    @Test
    void aRealWorkerPoolLoadsManyAssetsConcurrently() throws Exception {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 200; i++) {
            f.asset("d/" + i + ".bin", "application/octet-stream", bytes(3000, i))
                    .compression(i % 2 == 0 ? Compression.ZSTD : Compression.LZ4)
                    .add();
        }
        java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        try (Streamer s = Streamer.builder(f.catalog(), AssetSource.objectStore(f.store, io))
                .workers(Workers.pool(2))
                .build()) {
            List<AssetHandle> hs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                hs.add(s.acquire("d/" + i + ".bin", "bulk"));
            }
            for (int i = 0; i < 200; i++) {
                assertThat((byte[]) hs.get(i).ready().get(30, TimeUnit.SECONDS).value())
                        .isEqualTo(bytes(3000, i));
            }
            assertThat(s.stats().loaded()).isEqualTo(200);
            hs.forEach(AssetHandle::release);
            assertThat(s.outstandingHandles()).isEmpty();
        } finally {
            io.shutdownNow();
        }
    }
}
