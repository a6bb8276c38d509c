package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.lode.core.LodeException;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seeded randomised round trips and corruptions of the zip writer and reader. */
class ZipFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void randomTreesRoundTripThroughPackAndUnpack() throws IOException {
        for (int seed = 0; seed < 8; seed++) {
            Random rnd = new Random(seed);
            Path src = tmp.resolve("src" + seed);
            Map<String, byte[]> tree = TestTrees.randomTree(src, rnd, 1 + rnd.nextInt(40));
            PackResult r = PluginPacker.builder()
                    .pluginId(seed)
                    .version("1")
                    .level(1 + rnd.nextInt(9))
                    .build()
                    .pack(src, tmp.resolve("plugins" + seed));
            Path out = tmp.resolve("out" + seed);
            SafeUnzipper.builder().build().extract(r.bundleFile(), out);
            Map<String, byte[]> back = TestTrees.read(out);
            assertThat(back.keySet()).as("seed %d", seed).isEqualTo(tree.keySet());
            for (var e : tree.entrySet()) {
                assertThat(back.get(e.getKey()))
                        .as("seed %d %s", seed, e.getKey())
                        .isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void readerFedOneByteAtATimeSeesTheSameEntries() throws IOException {
        Path src = tmp.resolve("src");
        TestTrees.randomTree(src, new Random(21), 6);
        PackResult r = PluginPacker.builder().pluginId(1).version("1").build().pack(src, tmp.resolve("p"));
        byte[] zip = Files.readAllBytes(r.bundleFile());
        ZipReader reader = new ZipReader(new OneByteChannel(zip), "one-byte", 1000);
        assertThat(reader.entries())
                .extracting(ZipEntryInfo::name)
                .containsExactlyElementsOf(
                        r.manifest().files().stream().map(BundleFile::path).toList());
        for (int i = 0; i < reader.entries().size(); i++) {
            byte[] sha = reader.copy(reader.entries().get(i), OutputStream.nullOutputStream());
            assertThat(dev.lode.core.ObjectId.ofDigest(sha))
                    .isEqualTo(r.manifest().files().get(i).sha256());
        }
        Path out = tmp.resolve("one");
        SafeUnzipper.builder().build().extract(new OneByteChannel(zip), "one-byte", out);
        assertThat(TestTrees.read(out)).containsOnlyKeys(TestTrees.read(src).keySet());
    }

    @Test
    void randomCorruptionsGiveClearErrorsNeverOtherExceptions() throws IOException {
        Path src = tmp.resolve("src");
        TestTrees.randomTree(src, new Random(33), 10);
        PackResult r = PluginPacker.builder().pluginId(1).version("1").build().pack(src, tmp.resolve("p"));
        byte[] zip = Files.readAllBytes(r.bundleFile());
        Map<String, byte[]> expected = TestTrees.read(src);
        Random rnd = new Random(1234);
        int refused = 0;
        for (int round = 0; round < 200; round++) {
            byte[] bad = zip.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                // favour the headers at the end, where the structure is
                int at = rnd.nextBoolean()
                        ? bad.length - 1 - rnd.nextInt(Math.min(bad.length, 2000))
                        : rnd.nextInt(bad.length);
                bad[at] ^= (byte) (1 + rnd.nextInt(255));
            }
            if (rnd.nextInt(10) == 0) {
                bad = java.util.Arrays.copyOf(bad, rnd.nextInt(bad.length));
            }
            Path out = tmp.resolve("fuzz" + round);
            try {
                SafeUnzipper.builder().build().extract(new OneByteChannel(bad, 700), "fuzz", out);
                // a flip that changes nothing observable (e.g. in an unused field) may pass;
                // then the content must still be right or the names must have been changed safely
                Map<String, byte[]> back = TestTrees.read(out);
                for (var e : back.entrySet()) {
                    if (expected.containsKey(e.getKey())) {
                        assertThat(Sha256.of(e.getValue()))
                                .as("round %d %s", round, e.getKey())
                                .isEqualTo(Sha256.of(expected.get(e.getKey())));
                    }
                }
            } catch (LodeException e) {
                refused++;
                assertThat(e.getMessage()).contains("fuzz");
                assertThat(out).doesNotExist();
            } catch (RuntimeException e) {
                fail("round " + round + ": unexpected exception type", e);
            }
        }
        assertThat(refused).isGreaterThan(100);
        assertThat(TestTrees.names(tmp).stream().filter(n -> n.startsWith("."))).isEmpty();
    }

    @Test
    void zip64RecordsAreWrittenForManyEntriesAndReadBack() throws IOException {
        Path zip = tmp.resolve("many.zip");
        int n = 70_000; // more than 65535 entries needs the ZIP64 end records
        try (var ch = java.nio.channels.FileChannel.open(
                zip, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ZipWriter w = new ZipWriter(ch);
            byte[] empty = new byte[0];
            for (int i = 0; i < n; i++) {
                w.writeEntry(String.format("d%02d/f%06d", i % 50, i), ZipFormat.METHOD_STORED, 0, 0, empty, 0, 0);
            }
            w.finish();
        }
        try (var ch = java.nio.channels.FileChannel.open(zip)) {
            ZipReader r = new ZipReader(ch, "many", 1_000_000);
            assertThat(r.entries()).hasSize(n);
            assertThat(r.entries().get(n - 1).name()).isEqualTo(String.format("d%02d/f%06d", (n - 1) % 50, n - 1));
        }
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(tmp, log, "bash", "-c", "bsdtar -tf many.zip | wc -l"))
                .isZero();
        assertThat(log.toString().strip()).isEqualTo(Integer.toString(n));
    }

    @Test
    void zip64SizesOfHugeEntriesRoundTripThroughTheCentralDirectory() throws IOException {
        long huge = 5L << 30; // 5 GiB, declared only: the data is a tiny zstd frame
        byte[] frame = com.github.luben.zstd.Zstd.compress(new byte[10], 1);
        Path zip = tmp.resolve("huge.zip");
        try (var ch = java.nio.channels.FileChannel.open(
                zip, java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ZipWriter w = new ZipWriter(ch);
            w.writeEntry("whole.bin", ZipFormat.METHOD_ZSTD, huge, 0, frame, 0, frame.length);
            OutputStream out = w.beginEntry("streamed.bin", ZipFormat.METHOD_ZSTD, huge + 1);
            out.write(frame);
            w.endEntry(0, huge + 1);
            w.writeEntry("small.bin", ZipFormat.METHOD_ZSTD, 10, 0, frame, 0, frame.length);
            w.finish();
        }
        try (var ch = java.nio.channels.FileChannel.open(zip)) {
            ZipReader r = new ZipReader(ch, "huge", 10);
            assertThat(r.entries()).extracting(ZipEntryInfo::size).containsExactly(huge, huge + 1, 10L);
            assertThat(r.entries()).extracting(ZipEntryInfo::compressedSize).containsOnly((long) frame.length);
            // the declared size is a promise the data does not keep: refused, not trusted
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> r.copy(r.entries().get(0), OutputStream.nullOutputStream()))
                    .isInstanceOf(dev.lode.core.FormatException.class)
                    .hasMessageContaining("decompresses to 10 bytes but its header says " + huge);
        }
        StringBuilder log = new StringBuilder();
        assertThat(TestTrees.run(tmp, log, "bsdtar", "-tvf", "huge.zip"))
                .as(log.toString())
                .isZero();
        assertThat(log.toString()).contains(Long.toString(huge)).contains(Long.toString(huge + 1));
    }

    /**
     * A read-only channel over bytes that returns at most {@code maxChunk} bytes per read (1:
     * one byte at a time), in sizes drawn from a seeded generator: odd boundaries everywhere.
     */
    static final class OneByteChannel implements SeekableByteChannel {
        private final byte[] data;
        private final int maxChunk;
        private final Random rnd = new Random(0);
        private long position;
        private boolean open = true;

        OneByteChannel(byte[] data) {
            this(data, 1);
        }

        OneByteChannel(byte[] data, int maxChunk) {
            this.data = data;
            this.maxChunk = maxChunk;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (position >= data.length) {
                return -1;
            }
            int n = (int) Math.min(Math.min(dst.remaining(), 1 + rnd.nextInt(maxChunk)), data.length - position);
            dst.put(data, (int) position, n);
            position += n;
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long p) {
            position = p;
            return this;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }
    }
}
