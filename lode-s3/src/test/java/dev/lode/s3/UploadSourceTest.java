package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ChunkerConfig;
import dev.lode.core.ObjectDigester;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two-thread hashing pass gives exactly what lode-core's one-thread ObjectDigester gives. */
class UploadSourceTest {
    private static final int MIB = 1024 * 1024;
    private static final long PART = 5L * MIB;

    @TempDir
    Path tmp;

    @Test
    void idChunkMapAndPartHashesMatchAOneThreadPassForAnySizeAndReadPattern() throws IOException {
        Random random = new Random(20261123);
        int[] sizes = {0, 1, MIB - 1, MIB, MIB + 1, (int) PART, (int) PART + 1, 3 * (int) PART + 12_345};
        for (int size : sizes) {
            byte[] data = new byte[size];
            random.nextBytes(data);
            ObjectDigester reference = new ObjectDigester(ChunkerConfig.DEFAULT);
            reference.update(data, 0, data.length);
            ObjectDigester.Result expected = reference.finish();

            Path file = tmp.resolve("f" + size);
            Files.write(file, data);
            try (UploadSource fromFile = UploadSource.fromFile(file, PART, Long.MAX_VALUE, ChunkerConfig.DEFAULT);
                    UploadSource fromStream = UploadSource.fromStream(
                            new OddReads(new ByteArrayInputStream(data), size),
                            tmp,
                            PART,
                            PART,
                            Long.MAX_VALUE,
                            ChunkerConfig.DEFAULT)) {
                for (UploadSource src : new UploadSource[] {fromFile, fromStream}) {
                    assertThat(src.digest()).as("size %d", size).isEqualTo(expected);
                    assertThat(src.partCount()).isEqualTo((int) ((size + PART - 1) / PART));
                    for (int i = 0; i < src.partCount(); i++) {
                        byte[] slice = Arrays.copyOfRange(
                                data, (int) src.partOffset(i), (int) (src.partOffset(i) + src.partLength(i)));
                        assertThat(src.partHash(i)).isEqualTo(Sha256.of(slice).toBytes());
                    }
                }
                assertThat(fromStream.inline() == null).isEqualTo(size >= PART);
            }
        }
        try (var files = Files.list(tmp)) {
            assertThat(files.filter(p -> p.toString().endsWith(".spool"))).isEmpty();
        }
    }

    @Test
    void failingStreamLeavesNoSpoolFile() {
        InputStream failing = new InputStream() {
            private int left = 7 * MIB;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("disk gone");
                }
                return 1;
            }
        };
        assertThatThrownBy(
                        () -> UploadSource.fromStream(failing, tmp, PART, PART, Long.MAX_VALUE, ChunkerConfig.DEFAULT))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("disk gone");
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void tooLargeStreamIsRefusedWithTheLimit() {
        byte[] data = new byte[3 * MIB];
        assertThatThrownBy(() -> UploadSource.fromStream(
                        new ByteArrayInputStream(data), tmp, MIB, PART, 2L * MIB, ChunkerConfig.DEFAULT))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("larger than 2097152 bytes");
        assertThat(tmp).isEmptyDirectory();
    }

    /** Returns reads of varying small sizes, as sockets do. */
    private static final class OddReads extends FilterInputStream {
        private final Random random;

        OddReads(InputStream in, long seed) {
            super(in);
            this.random = new Random(seed);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
        }
    }
}
