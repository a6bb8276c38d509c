package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random schedules of acquire, release, observer moves and read completions in any order,
 * over assets with LOD variants, shared dependencies and missing objects, on tight budgets. After
 * every step: no tier over budget; at the end, with everything released: nothing pinned, no
 * handle outstanding, every future done.
 */
class StreamerRandomisedTest {
    @TempDir
    Path dir;

    @Test
    void randomSchedulesKeepTheInvariants() {
        for (long seed = 1; seed <= 12; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        Random r = new Random(seed);
        Fixture f = new Fixture(dir.resolve("s" + seed));
        for (int i = 0; i < 6; i++) {
            Fixture.Asset tex =
                    f.asset("tex/" + i + ".bin", "application/x-test", StreamerTest.bytes(200 + r.nextInt(400), i));
            if (r.nextInt(6) == 0) {
                tex.missing();
            }
            tex.compression(Compression.values()[r.nextInt(3)]).add();
        }
        List<String> models = new ArrayList<>();
        for (int m = 0; m < 14; m++) {
            String base = "model/" + m;
            String dep = "tex/" + r.nextInt(6) + ".bin";
            for (int l = 0; l < 3; l++) {
                f.asset(base + ".lod" + l, "model/x-test", StreamerTest.bytes(100 << l * 2, 100 + m * 3 + l))
                        .deps(dep)
                        .add();
            }
            f.asset(base, "model/x-test", StreamerTest.bytes(10, 900 + m))
                    .variants(base + ".lod0", base + ".lod1", base + ".lod2")
                    .bounds(r.nextInt(200) - 100, 0, r.nextInt(200) - 100, 1 + r.nextInt(4))
                    .add();
            models.add(base);
        }
        Fixture.GatedSource gate = new Fixture.GatedSource(AssetSource.objectStore(f.store, Runnable::run));
        CountingGpu gpu = new CountingGpu(4000);
        long cpuBudget = 3000;
        AssetLoader<byte[]> gpuRaw = new AssetLoader<>() {
            @Override
            public byte[] load(CatalogEntry entry, byte[] data) {
                return data;
            }

            @Override
            public long footprint(byte[] value) {
                return value.length;
            }

            @Override
            public byte[] placeholder(CatalogEntry entry) {
                return new byte[0];
            }

            @Override
            public boolean gpuResident() {
                return true;
            }
        };
        List<StreamEvent> events = new ArrayList<>();
        try (Streamer s = Streamer.builder(f.catalog(), gate)
                .workers(Workers.direct())
                .cpuTier(cpuBudget, r.nextBoolean() ? EvictionPolicy.LRU : EvictionPolicy.LFU)
                .gpuTier(gpu, r.nextBoolean() ? EvictionPolicy.LRU : EvictionPolicy.LFU)
                .loader("model/*", gpuRaw)
                .maxInFlightReads(1 + r.nextInt(4))
                .listener(events::add)
                .build()) {
            List<AssetHandle> held = new ArrayList<>();
            List<AssetHandle> all = new ArrayList<>();
            for (int step = 0; step < 400; step++) {
                int op = r.nextInt(10);
                if (op < 3) {
                    AssetHandle h = s.acquire(models.get(r.nextInt(models.size())), "owner" + r.nextInt(3));
                    held.add(h);
                    all.add(h);
                } else if (op < 5 && !held.isEmpty()) {
                    held.remove(r.nextInt(held.size())).release();
                } else if (op < 6) {
                    Vec3 pos = new Vec3(r.nextInt(200) - 100, 0, r.nextInt(200) - 100);
                    double a = r.nextDouble() * 2 * Math.PI;
                    s.updateObserver(new Observer(
                            pos,
                            new Vec3(Math.cos(a), 0, Math.sin(a)),
                            new Vec3(r.nextInt(21) - 10, 0, r.nextInt(21) - 10),
                            1.2,
                            720));
                } else if (!gate.pending.isEmpty()) {
                    List<String> pending = new ArrayList<>(gate.pending.keySet());
                    gate.finish(pending.get(r.nextInt(pending.size())));
                }
                StreamStats st = s.stats();
                assertThat(st.cpu().bytes())
                        .as("seed %d step %d cpu", seed, step)
                        .isLessThanOrEqualTo(cpuBudget);
                assertThat(st.gpu().bytes())
                        .as("seed %d step %d gpu", seed, step)
                        .isLessThanOrEqualTo(gpu.budgetBytes());
            }
            held.forEach(AssetHandle::release);
            while (!gate.pending.isEmpty()) {
                gate.finish(gate.pending.keySet().iterator().next());
            }
            StreamStats end = s.stats();
            assertThat(end.handles()).isZero();
            assertThat(end.cpu().pinned()).as("seed %d cpu pinned", seed).isZero();
            assertThat(end.gpu().pinned()).as("seed %d gpu pinned", seed).isZero();
            assertThat(end.inFlight()).isZero();
            assertThat(s.leakReport()).isEmpty();
            assertThat(all).allMatch(h -> h.ready().isDone());
            // Every failure names a missing texture at the end of its chain.
            Set<String> missing = new HashSet<>();
            f.entries.forEach(e -> {
                if (!f.store.contains(e.sha256())) {
                    missing.add(e.path());
                }
            });
            for (StreamEvent e : events) {
                if (e instanceof StreamEvent.LoadFailed lf) {
                    assertThat(missing).contains(lf.error().failedPath());
                }
            }
            assertThat(Map.of("gpu", gpu.peakBytes()))
                    .allSatisfy((k, v) -> assertThat(v).isLessThanOrEqualTo(4000));
        }
        assertThat(gpu.bytes()).isZero();
    }
}
