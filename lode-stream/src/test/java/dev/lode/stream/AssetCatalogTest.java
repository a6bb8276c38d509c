package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.FormatException;
import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AssetCatalogTest {
    @TempDir
    Path dir;

    static Manifest randomManifest(long seed, int n) {
        Random r = new Random(seed);
        List<ManifestEntry> entries = new ArrayList<>();
        String[] types = {"image/png", "model/gltf-binary", "audio/ogg", "application/json"};
        String[] tags = {"level1", "level2", "ui", "hero", "ünïcode"};
        for (int i = 0; i < n; i++) {
            String path = "dir" + r.nextInt(20) + "/asset-" + i + (r.nextBoolean() ? "-é" : "") + ".bin";
            List<String> t = new ArrayList<>();
            for (String tag : tags) {
                if (r.nextInt(4) == 0) {
                    t.add(tag);
                }
            }
            List<String> deps = i > 0 && r.nextBoolean() ? List.of("dep/" + r.nextInt(i)) : List.of();
            List<String> variants = r.nextInt(3) == 0 ? List.of(path + ".lod0", path + ".lod1") : List.of();
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("compression", List.of("none", "zstd", "lz4").get(r.nextInt(3)));
            meta.put("rawSize", Integer.toString(r.nextInt(1 << 20)));
            meta.put("version", "v" + r.nextInt(5));
            if (r.nextBoolean()) {
                meta.put("bounds", r.nextInt(1000) + ".5," + r.nextInt(100) + ",-" + r.nextInt(1000) + ",2.25");
            }
            entries.add(new ManifestEntry(
                    path,
                    r.nextInt(1 << 20),
                    Sha256.of(("object " + (r.nextInt(10) == 0 ? 0 : i)).getBytes()),
                    types[r.nextInt(types.length)],
                    null,
                    t,
                    deps,
                    variants,
                    meta));
        }
        return Manifest.of(entries, Map.of());
    }

    @Test
    void mappedCatalogAnswersEveryQueryLikeTheManifest() {
        Manifest m = randomManifest(42, 3000);
        Path file = dir.resolve("cat.bin");
        AssetCatalog.write(m, file);
        AssetCatalog heap = AssetCatalog.of(m);
        AssetCatalog mapped = AssetCatalog.open(file);
        assertThat(mapped.size()).isEqualTo(m.entries().size());
        for (ManifestEntry e : m.entries()) {
            CatalogEntry c = mapped.byPath(e.path()).orElseThrow();
            assertThat(c).isEqualTo(heap.byPath(e.path()).orElseThrow());
            assertThat(c.id()).isEqualTo(e.sha256());
            assertThat(c.size()).isEqualTo(e.size());
            assertThat(c.type()).isEqualTo(e.mediaType());
            assertThat(c.tags()).isEqualTo(e.tags());
            assertThat(c.dependencies()).isEqualTo(e.dependencies());
            assertThat(c.variants()).isEqualTo(e.variants());
            assertThat(c.compression().metaName()).isEqualTo(e.meta().get("compression"));
            assertThat(c.rawSize()).isEqualTo(Long.parseLong(e.meta().get("rawSize")));
            assertThat(c.version()).isEqualTo(e.meta().get("version"));
            assertThat(c.memorySize()).isEqualTo(c.rawSize());
            assertThat(c.bounds() != null).isEqualTo(e.meta().containsKey("bounds"));
            assertThat(mapped.byId(e.sha256()).orElseThrow().id()).isEqualTo(e.sha256());
        }
        for (String tag : List.of("level1", "ui", "ünïcode")) {
            assertThat(mapped.withTag(tag).stream()
                            .map(CatalogEntry::path)
                            .sorted()
                            .toList())
                    .isEqualTo(m.entries().stream()
                            .filter(e -> e.tags().contains(tag))
                            .map(ManifestEntry::path)
                            .sorted()
                            .toList());
        }
        assertThat(mapped.ofType("image/png")).allMatch(c -> c.type().equals("image/png"));
        assertThat(mapped.ofType("image/png").size()).isEqualTo((int) m.entries().stream()
                .filter(e -> e.mediaType().equals("image/png"))
                .count());
        assertThat(mapped.underPrefix("dir1/").stream().map(CatalogEntry::path).toList())
                .isEqualTo(m.entries().stream()
                        .map(ManifestEntry::path)
                        .filter(p -> p.startsWith("dir1/"))
                        .sorted(Comparator.comparing(
                                p -> p.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                java.util.Arrays::compareUnsigned))
                        .toList());
        assertThat(mapped.tags()).contains("level1", "ui", "ünïcode");
        assertThat(mapped.types()).contains("image/png");
    }

    @Test
    void unknownKeysFindNothing() {
        AssetCatalog c = AssetCatalog.of(randomManifest(1, 50));
        assertThat(c.byPath("nope")).isEmpty();
        assertThat(c.byId(Sha256.of("nothing".getBytes()))).isEmpty();
        assertThat(c.withTag("nope")).isEmpty();
        assertThat(c.ofType("x/y")).isEmpty();
        assertThat(c.underPrefix("zzz")).isEmpty();
        assertThat(AssetCatalog.of(Manifest.of(List.of(), Map.of())).size()).isZero();
    }

    @Test
    void badMetaNamesTheEntry() {
        ManifestEntry e = new ManifestEntry(
                "a.bin", 1, Sha256.of(new byte[1]), "x/y", null, null, null, null, Map.of("compression", "brotli"));
        assertThatThrownBy(() -> AssetCatalog.of(Manifest.of(List.of(e), Map.of())))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("a.bin")
                .hasMessageContaining("brotli");
    }

    @Test
    void corruptCatalogFilesAreRejected() throws IOException {
        Path file = dir.resolve("cat.bin");
        AssetCatalog.write(randomManifest(7, 100), file);
        byte[] good = Files.readAllBytes(file);

        Path magic = dir.resolve("magic.bin");
        byte[] b = good.clone();
        b[0] = 'X';
        Files.write(magic, b);
        assertThatThrownBy(() -> AssetCatalog.open(magic))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("magic");

        Path truncated = dir.resolve("trunc.bin");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 10));
        assertThatThrownBy(() -> AssetCatalog.open(truncated))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("truncated");

        Path offsets = dir.resolve("offsets.bin");
        b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(40, 1L << 40);
        Files.write(offsets, b);
        assertThatThrownBy(() -> AssetCatalog.open(offsets)).isInstanceOf(FormatException.class);

        Path tiny = dir.resolve("tiny.bin");
        Files.write(tiny, new byte[5]);
        assertThatThrownBy(() -> AssetCatalog.open(tiny)).isInstanceOf(FormatException.class);

        // Seeded garbage in the body: every lookup either works or fails with FormatException.
        Random r = new Random(99);
        for (int round = 0; round < 50; round++) {
            byte[] g = good.clone();
            for (int k = 0; k < 8; k++) {
                int at = 72 + r.nextInt(g.length - 72);
                g[at] = (byte) r.nextInt(256);
            }
            Path f = dir.resolve("garbage" + round + ".bin");
            Files.write(f, g);
            try {
                AssetCatalog c = AssetCatalog.open(f);
                for (int i = 0; i < c.size(); i++) {
                    c.get(i);
                }
                c.withTag("ui");
                c.underPrefix("dir");
            } catch (FormatException expected) {
                // fine: rejected with a clear error
            }
        }
    }
}
