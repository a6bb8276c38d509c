package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import dev.lode.core.FormatException;
import dev.lode.core.LodeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafeUnzipperTest {
    @TempDir
    Path tmp;

    private final SafeUnzipper unzipper = SafeUnzipper.builder().build();

    private Path write(RawZip zip) throws IOException {
        return Files.write(tmp.resolve("in.zip"), zip.bytes());
    }

    /** Unpacking fails with a message containing {@code expected}; nothing is left beside the target. */
    private void refused(RawZip zip, String expected) throws IOException {
        Path in = write(zip);
        Path out = Files.createDirectories(tmp.resolve("cache/plugins")).resolve("7");
        assertThatThrownBy(() -> unzipper.extract(in, out))
                .isInstanceOf(LodeException.class)
                .hasMessageContaining(expected);
        assertThat(out).doesNotExist();
        assertThat(TestTrees.names(out.getParent())).isEmpty();
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    @Test
    void extractsAValidZip() throws IOException {
        Path in = write(new RawZip().stored("a/b.txt", "hello").stored("c.txt", "world"));
        UnpackResult r = unzipper.extract(in, tmp.resolve("out"));
        assertThat(r.files()).isEqualTo(2);
        assertThat(r.bytes()).isEqualTo(10);
        assertThat(tmp.resolve("out/a/b.txt")).hasContent("hello");
        assertThat(tmp.resolve("out/c.txt")).hasContent("world");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../evil", "a/../../evil", "/tmp/evil", "a\\..\\..\\evil", "C:evil", "a//b", "./a"})
    void zipSlipAndUnsafeNamesAreRefused(String name) throws IOException {
        refused(new RawZip().stored("ok.txt", "fine").stored(name, "pwned"), "unsafe path");
    }

    @Test
    void symlinkEntryIsRefused() throws IOException {
        RawZip z = new RawZip()
                .add(RawZip.Entry.stored("link", "/etc/passwd".getBytes(StandardCharsets.UTF_8))
                        .withMode(0120777));
        refused(z, "symbolic link");
    }

    @Test
    void specialFileEntryIsRefused() throws IOException {
        refused(new RawZip().add(RawZip.Entry.stored("dev", new byte[0]).withMode(0020644)), "special file");
    }

    @Test
    void duplicateNamesAreRefused() throws IOException {
        refused(new RawZip().stored("a.txt", "one").stored("a.txt", "two"), "appears twice");
    }

    @Test
    void fileInsideAFileIsRefused() throws IOException {
        refused(new RawZip().stored("a", "one").stored("a/b", "two"), "which is a file");
    }

    @Test
    void sizeLargerThanTheHeaderIsRefused() throws IOException {
        byte[] data = "0123456789".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] z = Zstd.compress(data, 3);
        RawZip.Entry e = new RawZip.Entry("bomb.txt", 93, z, 100, RawZip.crc(data), 0100644, 0x800);
        refused(new RawZip().add(e), "more than its declared size 100");
    }

    @Test
    void sizeSmallerThanTheHeaderIsRefused() throws IOException {
        byte[] data = "short".getBytes(StandardCharsets.UTF_8);
        byte[] z = Zstd.compress(data, 3);
        refused(
                new RawZip().add(new RawZip.Entry("s.txt", 93, z, 50, RawZip.crc(data), 0100644, 0x800)),
                "decompresses to 5 bytes but its header says 50");
    }

    @Test
    void storedEntryWithLyingSizeIsRefused() throws IOException {
        refused(new RawZip().add(RawZip.Entry.stored("x", new byte[10]).withSize(20)), "is stored but");
    }

    @Test
    void crcMismatchIsRefused() throws IOException {
        RawZip.Entry e = RawZip.Entry.stored("x", "abc".getBytes(StandardCharsets.UTF_8));
        refused(new RawZip().add(new RawZip.Entry("x", 0, e.data(), 3, 1234, 0100644, 0x800)), "CRC-32 mismatch");
    }

    @Test
    void unsupportedMethodIsRefused() throws IOException {
        refused(
                new RawZip().add(RawZip.Entry.stored("x", new byte[4]).withMethod(14)),
                "unsupported compression method 14");
    }

    @Test
    void encryptedEntryIsRefused() throws IOException {
        refused(new RawZip().add(RawZip.Entry.stored("x", new byte[4]).withFlags(0x801)), "encrypted");
    }

    @Test
    void corruptZstdDataIsRefused() throws IOException {
        byte[] junk = new byte[40];
        java.util.Arrays.fill(junk, (byte) 0x55);
        refused(new RawZip().add(new RawZip.Entry("x", 93, junk, 10, 0, 0100644, 0x800)), "corrupt compressed data");
    }

    @Test
    void tooManyEntriesOrBytesAreRefused() throws IOException {
        Path in = write(new RawZip().stored("a", "1").stored("b", "22"));
        assertThatThrownBy(() -> SafeUnzipper.builder().maxEntries(1).build().extract(in, tmp.resolve("o")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("more than the limit 1");
        assertThatThrownBy(() -> SafeUnzipper.builder().maxTotalBytes(2).build().extract(in, tmp.resolve("o")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("more than 2 bytes");
        assertThat(tmp.resolve("o")).doesNotExist();
    }

    @Test
    void notAZipIsRefused() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.zip"), "definitely not a zip, but long enough to look");
        assertThatThrownBy(() -> unzipper.extract(in, tmp.resolve("o")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("no end of central directory");
        assertThatThrownBy(() -> unzipper.extract(tmp.resolve("absent.zip"), tmp.resolve("o")))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("zip not found");
    }

    @Test
    void existingTargetIsKeptUnlessReplacing() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("cache/plugins/7"));
        Files.writeString(out.resolve("old.txt"), "previous version");
        Path in = write(new RawZip().stored("new.txt", "next version"));

        assertThatThrownBy(() -> unzipper.extract(in, out))
                .isInstanceOf(BundleException.class)
                .hasMessageContaining("already exists");
        assertThat(out.resolve("old.txt")).exists();

        SafeUnzipper.builder().replaceExisting(true).build().extract(in, out);
        assertThat(TestTrees.names(out)).containsExactly("new.txt");
        assertThat(TestTrees.names(out.getParent())).containsExactly("7");
    }

    @Test
    void failedReplaceKeepsThePreviousVersion() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("cache/plugins/7"));
        Files.writeString(out.resolve("old.txt"), "previous version");
        byte[] data = "x".repeat(100).getBytes(StandardCharsets.UTF_8);
        // the first entry is fine, the second lies about its size: the failure comes mid-extraction
        Path in = write(new RawZip()
                .stored("fine.txt", "ok")
                .add(new RawZip.Entry("liar", 93, Zstd.compress(data, 1), 10, RawZip.crc(data), 0100644, 0x800)));
        assertThatThrownBy(() ->
                        SafeUnzipper.builder().replaceExisting(true).build().extract(in, out))
                .isInstanceOf(FormatException.class);
        assertThat(TestTrees.names(out)).containsExactly("old.txt");
        assertThat(TestTrees.names(out.getParent())).containsExactly("7");
    }

    @Test
    void deflateZipsFromTheJdkAreRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zos = new ZipOutputStream(bytes)) {
            zos.putNextEntry(new ZipEntry("dir/"));
            zos.closeEntry();
            zos.putNextEntry(new ZipEntry("dir/text.txt"));
            zos.write("deflated ".repeat(500).getBytes(StandardCharsets.UTF_8));
            zos.closeEntry();
        }
        Path in = Files.write(tmp.resolve("jdk.zip"), bytes.toByteArray());
        unzipper.extract(in, tmp.resolve("o"));
        assertThat(tmp.resolve("o/dir/text.txt")).hasContent("deflated ".repeat(500));
    }
}
