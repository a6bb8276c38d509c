package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginPackerTest {
    @TempDir
    Path tmp;

    private Path plugin(String name) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.resolve("models"));
        Files.writeString(p.resolve("models/veh_cc.ent"), "entity cc\n".repeat(100));
        Files.write(p.resolve("cc_dif.dds"), new byte[] {1, 2, 3});
        return p;
    }

    private static PluginPacker.Builder packer() {
        return PluginPacker.builder().pluginId(7).version("1.0.3");
    }

    @Test
    void packWritesManifestAndZipNamedByItsHash() throws IOException {
        Path out = tmp.resolve("plugins");
        PackResult r = packer().minVersion("1.0.0").build().pack(plugin("cc"), out);

        assertThat(r.directory()).isEqualTo(out.resolve("cc").toAbsolutePath());
        assertThat(TestTrees.names(r.directory()))
                .containsExactly(r.bundleFile().getFileName().toString(), "manifest");
        BundleManifest m = BundleManifest.parse(Files.readAllBytes(r.manifestFile()));
        assertThat(m).isEqualTo(r.manifest());
        assertThat(m.pluginId()).isEqualTo(7);
        assertThat(m.version()).isEqualTo("1.0.3");
        assertThat(m.minVersion()).isEqualTo("1.0.0");
        assertThat(m.files()).extracting(BundleFile::path).containsExactly("cc_dif.dds", "models/veh_cc.ent");
        assertThat(m.files().get(0).size()).isEqualTo(3);
        assertThat(m.bundle().sha256()).isEqualTo(dev.lode.core.Sha256.ofFile(r.bundleFile()));
        assertThat(m.bundle().size()).isEqualTo(Files.size(r.bundleFile()));
        assertThat(r.bundleFile().getFileName().toString())
                .isEqualTo("assets." + m.bundle().sha256() + ".zip");
        assertThat(BundleVerifier.verify(r.directory()).problems()).isEmpty();
    }

    @Test
    void packingTwiceGivesByteIdenticalFiles() throws IOException {
        Path src = tmp.resolve("rnd");
        TestTrees.randomTree(src, new Random(42), 60);
        // one file above the big-file threshold takes the multi-threaded path
        byte[] big = new byte[(int) PluginPacker.BIG_FILE + 12345];
        new Random(1).nextBytes(big);
        java.util.Arrays.fill(big, 0, big.length / 2, (byte) 'x');
        Files.write(src.resolve("big.bin"), big);

        PackResult a = packer().parallelism(1).build().pack(src, tmp.resolve("a"));
        PackResult b = packer().parallelism(4).build().pack(src, tmp.resolve("b"));

        assertThat(a.bundleFile().getFileName()).isEqualTo(b.bundleFile().getFileName());
        assertThat(Files.readAllBytes(a.bundleFile())).isEqualTo(Files.readAllBytes(b.bundleFile()));
        assertThat(Files.readAllBytes(a.manifestFile())).isEqualTo(Files.readAllBytes(b.manifestFile()));
        Path x = tmp.resolve("x");
        SafeUnzipper.builder().build().extract(a.bundleFile(), x);
        assertThat(TestTrees.read(x)).containsExactlyEntriesOf(TestTrees.read(src));
    }

    @Test
    void adaptiveLevelKeepsIncompressibleFilesTheSameSize() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("media"));
        byte[] noise = new byte[200_000];
        new Random(8).nextBytes(noise);
        Files.write(src.resolve("music.ogg"), noise);
        Files.writeString(src.resolve("script.reds"), "let x = 1;\n".repeat(20_000));
        PackResult adaptive = packer().build().pack(src, tmp.resolve("a"));
        PackResult exact = packer().adaptive(false).build().pack(src, tmp.resolve("b"));

        assertThat(BundleVerifier.verify(adaptive.directory()).ok()).isTrue();
        assertThat(BundleVerifier.verify(exact.directory()).ok()).isTrue();
        assertThat((double) adaptive.manifest().bundle().size())
                .isCloseTo(exact.manifest().bundle().size(), org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(adaptive.manifest().files()).isEqualTo(exact.manifest().files());
    }

    @Test
    void idAndVersionComeFromPluginJsonAndFlagsWin() throws IOException {
        Path src = plugin("withjson");
        Files.writeString(
                src.resolve("plugin.json"),
                "{\"pluginId\": 12, \"version\": \"2.0\", \"minVersion\": \"1.5\", \"name\": \"Cyber\"}");

        BundleManifest fromJson =
                PluginPacker.builder().build().pack(src, tmp.resolve("o1")).manifest();
        assertThat(fromJson.pluginId()).isEqualTo(12);
        assertThat(fromJson.version()).isEqualTo("2.0");
        assertThat(fromJson.minVersion()).isEqualTo("1.5");
        assertThat(fromJson.files()).extracting(BundleFile::path).doesNotContain("plugin.json");

        BundleManifest flags = PluginPacker.builder()
                .pluginId(13)
                .version("2.1")
                .build()
                .pack(src, tmp.resolve("o2"))
                .manifest();
        assertThat(flags.pluginId()).isEqualTo(13);
        assertThat(flags.version()).isEqualTo("2.1");
        assertThat(flags.minVersion()).isEqualTo("1.5");
    }

    @Test
    void missingIdOrVersionIsAClearError() throws IOException {
        Path src = plugin("noid");
        Path out = tmp.resolve("out");
        assertThatThrownBy(() -> PluginPacker.builder().version("1").build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("no plugin id")
                .hasMessageContaining("--plugin-id");
        assertThatThrownBy(() -> PluginPacker.builder().pluginId(1).build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("no version");
        Files.writeString(src.resolve("plugin.json"), "{\"pluginId\": \"seven\"}");
        assertThatThrownBy(() -> PluginPacker.builder().build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("\"pluginId\" must be an integer");
        Files.writeString(src.resolve("plugin.json"), "{not json");
        assertThatThrownBy(() -> PluginPacker.builder().build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("plugin.json is not valid JSON");
        assertThat(out).doesNotExist();
    }

    @Test
    void missingFolderIsAClearError() {
        assertThatThrownBy(() -> packer().build().pack(tmp.resolve("nope"), tmp.resolve("out")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("plugin folder not found")
                .hasMessageContaining("nope");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void emptyFolderIsAClearError() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("empty/sub"));
        Files.writeString(tmp.resolve("empty/plugin.json"), "{\"pluginId\":1,\"version\":\"1\"}");
        assertThatThrownBy(() -> PluginPacker.builder().build().pack(src.getParent(), tmp.resolve("out")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("no files to pack");
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void specialFileIsRefusedAndNothingIsLeft() throws Exception {
        Path src = plugin("fifo");
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(src, log, "mkfifo", "pipe")).as(log.toString()).isZero();
        Path out = Files.createDirectories(tmp.resolve("out"));
        assertThatThrownBy(() -> packer().build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("not a regular file")
                .hasMessageContaining("pipe");
        assertThat(TestTrees.names(out)).isEmpty();
    }

    @Test
    void unreadableFileIsAClearErrorAndNothingIsLeft() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads files whatever their mode");
        Path src = plugin("locked");
        Path locked = src.resolve("models/veh_cc.ent");
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        try {
            assertThatThrownBy(() -> packer().build().pack(src, out))
                    .isInstanceOf(BundleException.class)
                    .hasMessageContaining("cannot read")
                    .hasMessageContaining("veh_cc.ent");
            assertThat(TestTrees.names(out)).isEmpty();
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rw-------"));
        }
    }

    /** Root reads any file whatever its mode, so a file that vanishes after listing stands in. */
    @Test
    void fileThatCannotBeReadAfterListingFailsCleanly() throws IOException {
        Path src = plugin("vanish");
        Path out = tmp.resolve("out");
        PluginPacker p = packer().listener(new PluginPacker.Listener() {
                    @Override
                    public void started(int files, long bytes) {
                        try {
                            Files.delete(src.resolve("models/veh_cc.ent"));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                })
                .build();
        assertThatThrownBy(() -> p.pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("cannot read")
                .hasMessageContaining("veh_cc.ent");
        assertThat(TestTrees.names(out)).isEmpty();
    }

    @Test
    void fileThatGrowsWhilePackingFailsCleanly() throws IOException {
        Path src = plugin("grow");
        Path out = tmp.resolve("out");
        PluginPacker p = packer().listener(new PluginPacker.Listener() {
                    @Override
                    public void started(int files, long bytes) {
                        try {
                            Files.writeString(
                                    src.resolve("cc_dif.dds"), "more", java.nio.file.StandardOpenOption.APPEND);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                })
                .build();
        assertThatThrownBy(() -> p.pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("changed while packing")
                .hasMessageContaining("cc_dif.dds");
        assertThat(TestTrees.names(out)).isEmpty();
    }

    @Test
    void symbolicLinkIsRefused() throws IOException {
        Path src = plugin("links");
        Path link = Files.createSymbolicLink(src.resolve("link.txt"), src.resolve("cc_dif.dds"));
        assertThatThrownBy(() -> packer().build().pack(src, tmp.resolve("out")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("symbolic link")
                .hasMessageContaining("link.txt");
        assertThat(link).isSymbolicLink();
    }

    @Test
    void repackReplacesThePreviousOutputAndItsZip() throws IOException {
        Path src = plugin("again");
        Path out = tmp.resolve("out");
        PackResult first = packer().build().pack(src, out);
        Files.writeString(src.resolve("new.txt"), "added");
        PackResult second = packer().build().pack(src, out);

        assertThat(second.bundleFile()).isNotEqualTo(first.bundleFile());
        assertThat(first.bundleFile()).doesNotExist();
        assertThat(TestTrees.names(second.directory()))
                .containsExactly(second.bundleFile().getFileName().toString(), "manifest");
        assertThat(TestTrees.names(out)).containsExactly("again"); // no temp or old folders left
    }

    @Test
    void failedRepackKeepsThePreviousOutput() throws Exception {
        Path src = plugin("keep");
        Path out = tmp.resolve("out");
        PackResult first = packer().build().pack(src, out);
        byte[] manifest = Files.readAllBytes(first.manifestFile());
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(src, log, "mkfifo", "pipe")).isZero();

        assertThatThrownBy(() -> packer().build().pack(src, out)).isInstanceOf(BundleException.class);

        assertThat(Files.readAllBytes(first.manifestFile())).isEqualTo(manifest);
        assertThat(first.bundleFile()).exists();
        assertThat(TestTrees.names(out)).containsExactly("keep");
    }

    @Test
    void foreignFilesInTheOutputFolderAreNotDeleted() throws IOException {
        Path src = plugin("mine");
        Path out = tmp.resolve("out");
        Files.createDirectories(out.resolve("mine"));
        Files.writeString(out.resolve("mine/notes.txt"), "keep me");
        assertThatThrownBy(() -> packer().build().pack(src, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("notes.txt");
        assertThat(out.resolve("mine/notes.txt")).hasContent("keep me");
    }

    @Test
    void outputInsideThePluginFolderIsRefused() throws IOException {
        Path src = plugin("self");
        assertThatThrownBy(() -> packer().build().pack(src, src.resolve("plugins")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("inside the plugin folder");
    }

    @Test
    void builderRejectsBadSettings() {
        assertThatThrownBy(() -> PluginPacker.builder().level(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PluginPacker.builder().level(23)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PluginPacker.builder().version("1.0/../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a version");
        assertThatThrownBy(() -> PluginPacker.builder().pluginId(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PluginPacker.builder().parallelism(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listenerSeesEveryFile() throws IOException {
        Path src = plugin("progress");
        long[] seen = new long[3];
        packer().listener(new PluginPacker.Listener() {
                    @Override
                    public void started(int files, long bytes) {
                        seen[0] = files;
                        seen[1] = bytes;
                    }

                    @Override
                    public void fileDone(String path, long size) {
                        seen[2] += size;
                    }
                })
                .build()
                .pack(src, tmp.resolve("out"));
        assertThat(seen[0]).isEqualTo(2);
        assertThat(seen[2]).isEqualTo(seen[1]).isEqualTo(1003);
    }

    @Test
    void unicodeNamesSurviveTheRoundTrip() throws IOException {
        Path src = tmp.resolve("uni");
        Files.createDirectories(src.resolve("ñandú"));
        Files.writeString(src.resolve("ñandú/日本.txt"), "konnichiwa", StandardCharsets.UTF_8);
        PackResult r = packer().build().pack(src, tmp.resolve("out"));
        Path x = tmp.resolve("x");
        SafeUnzipper.builder().build().extract(r.bundleFile(), x);
        assertThat(TestTrees.read(x)).containsOnlyKeys("ñandú/日本.txt");
        Map<String, byte[]> back = TestTrees.read(x);
        assertThat(new String(back.get("ñandú/日本.txt"), StandardCharsets.UTF_8)).isEqualTo("konnichiwa");
    }
}
