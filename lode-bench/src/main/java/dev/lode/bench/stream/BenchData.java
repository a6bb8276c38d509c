package dev.lode.bench.stream;

import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import dev.lode.core.Sha256;
import dev.lode.stream.Compression;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded inputs shared by the stream benchmark driver and the JMH kernels. */
final class BenchData {
    private BenchData() {}

    /** A manifest of {@code n} entries shaped like a game's: tags, dependencies, LOD variants, bounds. */
    static Manifest manifest(int n, long seed) {
        Random r = new Random(seed);
        String[] types = {"image/ktx2", "model/gltf-binary", "audio/ogg", "application/json", "image/png"};
        String[] tags = {"level1", "level2", "level3", "ui", "hero", "foliage", "city"};
        List<ManifestEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String path = String.format(
                    "assets/%s/%03d/item-%06d.bin", types[i % types.length].replace('/', '-'), r.nextInt(500), i);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("compression", r.nextBoolean() ? "zstd" : "lz4");
            meta.put("rawSize", Integer.toString(1000 + r.nextInt(1 << 20)));
            meta.put("version", "v" + r.nextInt(9));
            meta.put(
                    "bounds", r.nextInt(4000) + "," + r.nextInt(50) + "," + r.nextInt(4000) + "," + (1 + r.nextInt(9)));
            List<String> t = List.of(tags[r.nextInt(tags.length)], tags[r.nextInt(tags.length)]).stream()
                    .distinct()
                    .toList();
            List<String> deps =
                    i > 10 ? List.of(String.format("assets/shared/dep-%05d.bin", r.nextInt(5000))) : List.of();
            List<String> variants = i % 4 == 0 ? List.of(path + ".lod0", path + ".lod1", path + ".lod2") : List.of();
            entries.add(new ManifestEntry(
                    path,
                    1000 + r.nextInt(1 << 20),
                    Sha256.of(("bench-object-" + i).getBytes(StandardCharsets.UTF_8)),
                    types[i % types.length],
                    null,
                    t,
                    deps,
                    variants,
                    meta));
        }
        return Manifest.of(entries, Map.of("generator", "lode bench stream"));
    }

    /** {@code n} bytes that compress about as well as typical asset data (roughly 2:1 to 3:1 with zstd). */
    static byte[] assetBytes(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        int i = 0;
        while (i < n) {
            int run = 1 + r.nextInt(32);
            if (r.nextInt(3) == 0) {
                byte v = (byte) r.nextInt(256);
                for (int k = 0; k < run && i < n; k++) {
                    b[i++] = v;
                }
            } else {
                for (int k = 0; k < run && i < n; k++) {
                    b[i++] = (byte) (r.nextInt(64) + (i & 0x3f));
                }
            }
        }
        return b;
    }

    static byte[] zstd(byte[] raw) {
        return Compression.ZSTD.compress(raw);
    }
}
