package dev.lode.bench.stream;

import dev.lode.core.Manifest;
import dev.lode.core.ManifestCodec;
import dev.lode.core.ManifestEntry;
import dev.lode.core.ObjectId;
import dev.lode.stream.AssetCatalog;
import dev.lode.stream.AssetHandle;
import dev.lode.stream.AssetSource;
import dev.lode.stream.EvictionPolicy;
import dev.lode.stream.Loaded;
import dev.lode.stream.PackFile;
import dev.lode.stream.Streamer;
import dev.lode.stream.Workers;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/run stream}: catalog build/open/lookup figures for 100,000 entries, and load
 * pipeline throughput from a local zstd pack on a two-thread worker pool. Writes the large
 * assets' compressed frames to a file so the script can time {@code zstd -d} on the same bytes.
 *
 * <p>Usage: {@code StreamBench WORKDIR}.
 */
public final class StreamBench {
    private StreamBench() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Path work = Path.of(args.length > 0 ? args[0] : "target/stream-bench");
        Files.createDirectories(work);
        int entries = 100_000;
        Manifest m = BenchData.manifest(entries, 1);

        // Catalog: write once, then open (mmap) and query; peer: parsing the JSON manifest whole.
        Path catFile = work.resolve("catalog.bin");
        long t0 = System.nanoTime();
        AssetCatalog.write(m, catFile);
        double writeMs = ms(System.nanoTime() - t0);
        double openMs = Double.MAX_VALUE;
        AssetCatalog cat = null;
        for (int i = 0; i < 7; i++) {
            long s = System.nanoTime();
            cat = AssetCatalog.open(catFile);
            cat.byPath(m.entries().get(i * 1000).path()).orElseThrow();
            openMs = Math.min(openMs, ms(System.nanoTime() - s));
        }
        byte[] json = ManifestCodec.encode(m);
        double jsonMs = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long s = System.nanoTime();
            Manifest back = ManifestCodec.decode(json);
            back.entry(m.entries().get(5).path()).orElseThrow();
            jsonMs = Math.min(jsonMs, ms(System.nanoTime() - s));
        }
        Random r = new Random(2);
        List<String> paths = m.entries().stream().map(ManifestEntry::path).toList();
        List<ObjectId> ids = m.entries().stream().map(ManifestEntry::sha256).toList();
        int lookups = 2_000_000;
        double pathRate = 0;
        double idRate = 0;
        for (int round = 0; round < 3; round++) {
            long s = System.nanoTime();
            long sink = 0;
            for (int i = 0; i < lookups; i++) {
                sink += cat.ordinalOf(paths.get(r.nextInt(entries)));
            }
            pathRate = Math.max(pathRate, lookups / ((System.nanoTime() - s) / 1e9));
            s = System.nanoTime();
            for (int i = 0; i < lookups / 4; i++) {
                sink += cat.byId(ids.get(r.nextInt(entries))).orElseThrow().size();
            }
            idRate = Math.max(idRate, lookups / 4 / ((System.nanoTime() - s) / 1e9));
            if (sink == 42) {
                System.out.print("");
            }
        }
        long s = System.nanoTime();
        int tagged = cat.withTag("hero").size();
        double tagMs = ms(System.nanoTime() - s);
        s = System.nanoTime();
        int prefixed = cat.underPrefix("assets/image-ktx2/1").size();
        double prefixMs = ms(System.nanoTime() - s);

        System.out.printf(
                "catalog: %,d entries, file %.1f MB, JSON manifest %.1f MB%n",
                entries, Files.size(catFile) / 1048576.0, json.length / 1048576.0);
        System.out.printf("%-44s %12s%n", "measure", "value");
        System.out.printf("%-44s %12.1f%n", "catalog write from manifest (ms)", writeMs);
        System.out.printf("%-44s %12.3f%n", "catalog open, mmap + first lookup (ms)", openMs);
        System.out.printf("%-44s %12.1f%n", "peer: decode JSON manifest + index (ms)", jsonMs);
        System.out.printf("%-44s %,12.0f%n", "lookups by path per second (1 thread)", pathRate);
        System.out.printf("%-44s %,12.0f%n", "lookups by id per second (1 thread)", idRate);
        System.out.printf("%-44s %12.2f  (%d entries)%n", "search by tag 'hero' (ms)", tagMs, tagged);
        System.out.printf("%-44s %12.2f  (%d entries)%n", "search by path prefix (ms)", prefixMs, prefixed);

        // Pipeline: small and large assets in one zstd pack, streamed on 2 worker threads.
        int small = 20_000;
        int smallSize = 4096;
        int large = 48;
        int largeSize = 8 << 20;
        List<byte[]> stored = new ArrayList<>();
        List<ManifestEntry> pe = new ArrayList<>();
        Path frames = work.resolve("large.zst");
        try (OutputStream out = Files.newOutputStream(frames)) {
            for (int i = 0; i < small + large; i++) {
                boolean big = i >= small;
                byte[] raw = BenchData.assetBytes(big ? largeSize : smallSize + (i % 7) * 64, 1000 + i);
                byte[] z = BenchData.zstd(raw);
                if (big) {
                    out.write(z);
                }
                stored.add(z);
                pe.add(new ManifestEntry(
                        (big ? "large/" : "small/") + i + ".bin",
                        z.length,
                        dev.lode.core.Sha256.of(z),
                        "application/octet-stream",
                        null,
                        List.of(),
                        List.of(),
                        List.of(),
                        Map.of("compression", "zstd", "rawSize", Integer.toString(raw.length))));
            }
        }
        Path packFile = work.resolve("assets.pack");
        PackFile.write(packFile, stored);
        AssetCatalog pc = AssetCatalog.of(Manifest.of(pe, Map.of()));
        long largeRaw = (long) large * largeSize;
        long largeStored = 0;
        for (int i = small; i < small + large; i++) {
            largeStored += stored.get(i).length;
        }
        stored.clear();
        double smallRate;
        double largeMbs;
        ExecutorService io = Executors.newVirtualThreadPerTaskExecutor();
        try (PackFile pack = PackFile.open(packFile);
                Workers workers = Workers.pool(2);
                Streamer st = Streamer.builder(pc, AssetSource.pack(pack, io))
                        .workers(workers)
                        .cpuTier(2L << 30, EvictionPolicy.LRU)
                        .maxInFlightReads(16)
                        .build()) {
            run(st, pc, "small/", 0, 2000); // warm-up
            smallRate = 0;
            // Three rounds over disjoint assets, so none is served from the CPU tier.
            int per = (small - 2000) / 3;
            for (int round = 0; round < 3; round++) {
                int from = 2000 + round * per;
                double secs = run(st, pc, "small/", from, from + per);
                smallRate = Math.max(smallRate, per / secs);
            }
            run(st, pc, "large/", small, small + 8); // warm-up
            double secs = run(st, pc, "large/", small + 8, small + large);
            largeMbs = (largeRaw * (large - 8) / large) / 1048576.0 / secs;
        } finally {
            io.shutdownNow();
        }
        System.out.printf("%-44s %,12.0f%n", "pipeline: small assets/s (4 KB, zstd, 2 cores)", smallRate);
        System.out.printf("%-44s %12.1f%n", "pipeline: large MB/s raw (8 MB, zstd, 2 cores)", largeMbs);
        System.out.printf(
                "large: %d assets, %.1f MB raw, %.1f MB zstd%n", large, largeRaw / 1048576.0, largeStored / 1048576.0);
        System.out.printf(
                "STREAM catalog_open_ms=%.3f json_ms=%.1f lookups_per_s=%.0f id_lookups_per_s=%.0f"
                        + " small_per_s=%.0f large_mb_s=%.1f large_raw_bytes=%d%n",
                openMs, jsonMs, pathRate, idRate, smallRate, largeMbs, largeRaw);
    }

    /** Loads entries [from, to) of the prefix and releases each when ready; returns seconds. */
    private static double run(Streamer st, AssetCatalog pc, String prefix, int from, int to) throws Exception {
        long s = System.nanoTime();
        List<AssetHandle> hs = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            hs.add(st.acquire(prefix + i + ".bin", "bench"));
        }
        for (AssetHandle h : hs) {
            Loaded l = h.ready().get(10, TimeUnit.MINUTES);
            if (l.placeholder()) {
                throw new IllegalStateException(
                        "bench asset failed: " + l.error().getMessage());
            }
            h.release();
        }
        return (System.nanoTime() - s) / 1e9;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
