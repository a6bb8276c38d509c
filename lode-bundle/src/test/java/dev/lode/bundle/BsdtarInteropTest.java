package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundles must open in other tools: libarchive's bsdtar lists and extracts method-93 zips. */
class BsdtarInteropTest {
    @TempDir
    Path tmp;

    @Test
    void bsdtarListsAndExtractsABundleMatchingTheManifest() throws IOException {
        Path src = tmp.resolve("plug");
        TestTrees.randomTree(src, new Random(7), 40);
        byte[] big = new byte[(int) PluginPacker.BIG_FILE + 4096];
        new Random(3).nextBytes(big);
        Files.write(src.resolve("textures/huge.bin"), big);
        PackResult r =
                PluginPacker.builder().pluginId(7).version("1.0.3").build().pack(src, tmp.resolve("plugins"));

        StringBuilder list = new StringBuilder();
        assertThat(TestTrees.run(tmp, list, "bsdtar", "-tf", r.bundleFile().toString()))
                .as(list.toString())
                .isZero();
        assertThat(list.toString().lines().toList())
                .containsExactlyElementsOf(
                        r.manifest().files().stream().map(BundleFile::path).toList());

        Path out = Files.createDirectories(tmp.resolve("bsdtar-out"));
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(out, log, "bsdtar", "-xf", r.bundleFile().toString()))
                .as(log.toString())
                .isZero();
        Map<String, byte[]> extracted = TestTrees.read(out);
        assertThat(extracted).hasSameSizeAs(r.manifest().files());
        for (BundleFile f : r.manifest().files()) {
            assertThat(extracted).containsKey(f.path());
            assertThat(Sha256.of(extracted.get(f.path()))).as(f.path()).isEqualTo(f.sha256());
            assertThat((long) extracted.get(f.path()).length).isEqualTo(f.size());
        }
    }

    @Test
    void zipsWrittenByBsdtarUnpackSafely() throws IOException {
        Path src = tmp.resolve("src");
        Map<String, byte[]> tree = TestTrees.randomTree(src, new Random(11), 20);
        Path zip = tmp.resolve("theirs.zip");
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(src, log, "bash", "-c", "bsdtar --format zip -cf " + zip + " *"))
                .as(log.toString())
                .isZero();
        Path out = tmp.resolve("out");
        SafeUnzipper.builder().build().extract(zip, out);
        assertThat(TestTrees.read(out)).containsOnlyKeys(tree.keySet());
        tree.forEach((k, v) -> assertThat(TestTrees.read(out).get(k)).isEqualTo(v));
    }
}
