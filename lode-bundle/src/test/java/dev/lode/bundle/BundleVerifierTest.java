package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleVerifierTest {
    @TempDir
    Path tmp;

    PackResult packed;

    @BeforeEach
    void pack() throws IOException {
        Path src = tmp.resolve("plug");
        TestTrees.randomTree(src, new Random(5), 12);
        packed = PluginPacker.builder().pluginId(3).version("0.9").build().pack(src, tmp.resolve("plugins"));
    }

    @Test
    void intactBundleVerifies() {
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.ok()).isTrue();
        assertThat(r.signatureChecked()).isFalse();
        assertThat(r.orThrow()).isSameAs(r);
    }

    @Test
    void everyFlippedByteOfTheZipIsReported() throws IOException {
        byte[] original = Files.readAllBytes(packed.bundleFile());
        Random rnd = new Random(99);
        for (int i = 0; i < 40; i++) {
            int at = rnd.nextInt(original.length);
            byte[] bad = original.clone();
            bad[at] ^= (byte) (1 << rnd.nextInt(8));
            Files.write(packed.bundleFile(), bad);
            VerificationReport r = BundleVerifier.verify(packed.directory());
            assertThat(r.ok()).as("flip at %d", at).isFalse();
            assertThat(r.found().get(0)).isInstanceOf(Problem.BadBundle.class);
            for (Problem p : r.found()) {
                // exhaustive: every case is one the downloader can act on
                String action = switch (p) {
                    case Problem.BadSignature s -> "distrust";
                    case Problem.BadManifest m -> "distrust";
                    case Problem.BadBundle b -> "refetch";
                    case Problem.BadFile f -> "refetch " + f.path();
                };
                assertThat(action).startsWith("refetch");
            }
            assertThat(r.problems().get(0))
                    .contains("sha256 expected " + packed.manifest().bundle().sha256());
        }
    }

    @Test
    void flippedDataByteNamesTheFile() throws IOException {
        BundleFile target = packed.manifest().files().stream()
                .filter(f -> f.size() > 1000)
                .findFirst()
                .orElseThrow();
        ZipEntryInfo entry;
        try (FileChannel ch = FileChannel.open(packed.bundleFile())) {
            entry = new ZipReader(ch, "z", 100)
                    .entries().stream()
                            .filter(e -> e.name().equals(target.path()))
                            .findFirst()
                            .orElseThrow();
        }
        byte[] b = Files.readAllBytes(packed.bundleFile());
        b[(int) (entry.dataOffset() + entry.compressedSize() / 2)] ^= 0x10;
        Files.write(packed.bundleFile(), b);
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("file " + target.path() + ":"));
    }

    @Test
    void truncatedZipIsReported() throws IOException {
        try (FileChannel ch = FileChannel.open(packed.bundleFile(), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 10);
        }
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("size expected"));
        assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("end of central directory"));
    }

    @Test
    void manifestThatListsAFileTheZipLacksIsReported() throws IOException {
        BundleManifest m = packed.manifest();
        List<BundleFile> files = new ArrayList<>(m.files());
        files.add(new BundleFile("zzz/ghost.txt", 1, dev.lode.core.Sha256.of(new byte[1])));
        BundleFile dropped = files.remove(0);
        rewrite(new BundleManifest(m.pluginId(), m.version(), m.minVersion(), m.bundle(), files));
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.found())
                .containsExactlyInAnyOrder(
                        new Problem.BadFile(
                                dropped.path(), "file " + dropped.path() + ": in the zip but not in the manifest"),
                        new Problem.BadFile(
                                "zzz/ghost.txt", "file zzz/ghost.txt: in the manifest but missing from the zip"));
        assertThat(r.problems())
                .containsExactlyInAnyOrder(
                        "file " + dropped.path() + ": in the zip but not in the manifest",
                        "file zzz/ghost.txt: in the manifest but missing from the zip");
    }

    @Test
    void tamperedManifestSizeAndHashAreReportedWithExpectedAndActual() throws IOException {
        BundleManifest m = packed.manifest();
        List<BundleFile> files = new ArrayList<>(m.files());
        BundleFile f0 = files.get(0);
        BundleFile f1 = files.get(1);
        files.set(0, new BundleFile(f0.path(), f0.size() + 1, f0.sha256()));
        files.set(1, new BundleFile(f1.path(), f1.size(), dev.lode.core.Sha256.of(new byte[] {9})));
        rewrite(new BundleManifest(m.pluginId(), m.version(), m.minVersion(), m.bundle(), files));
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.problems())
                .containsExactly(
                        "file " + f0.path() + ": size expected " + (f0.size() + 1) + " but the zip has " + f0.size(),
                        "file " + f1.path() + ": sha256 expected " + dev.lode.core.Sha256.of(new byte[] {9})
                                + " but is " + f1.sha256());
    }

    @Test
    void malformedManifestIsReported() throws IOException {
        Files.writeString(packed.manifestFile(), "{\"pluginId\": 1}");
        VerificationReport r = BundleVerifier.verify(packed.directory());
        assertThat(r.manifest()).isNull();
        assertThat(r.problems()).singleElement().asString().contains("missing field 'version'");
        assertThatThrownBy(r::orThrow).isInstanceOf(BundleException.class).hasMessageContaining("version");
    }

    @Test
    void missingZipOrManifestIsReported() throws IOException {
        Files.delete(packed.bundleFile());
        assertThat(BundleVerifier.verify(packed.directory()).problems())
                .singleElement()
                .asString()
                .contains("is missing");
        Files.delete(packed.manifestFile());
        assertThatThrownBy(() -> BundleVerifier.verify(packed.directory()))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("no manifest");
        assertThatThrownBy(() -> BundleVerifier.verify(tmp.resolve("nowhere")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("not a plugin bundle folder");
    }

    private void rewrite(BundleManifest m) throws IOException {
        Files.write(packed.manifestFile(), m.toJson());
    }
}
