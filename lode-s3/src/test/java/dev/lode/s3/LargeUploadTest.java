package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.StoredObject;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** REQ1: uploads of hundreds of megabytes stream in bounded memory and arrive intact. */
class LargeUploadTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path tmp;

    @Test
    void sixHundredMegabyteStreamUploadsInPartsAndVerifies() {
        long size = 600 * MIB + 777;
        try (S3ProxyServer server = S3ProxyServer.start(tmp.resolve("s3"));
                S3Stores stores = S3Stores.open(
                        server.settings("big").spoolDir(tmp.resolve("spool")).build())) {
            stores.createBucketIfMissing();
            S3ObjectStore store = stores.forTenant("studio");
            StoredObject put = store.put(new Generated(size, 600));

            assertThat(put.created()).isTrue();
            assertThat(put.size()).isEqualTo(size);
            assertThat(store.size(put.id())).hasValue(size);
            store.verify(put.id());
            assertThat(tmp.resolve("spool")).isEmptyDirectory();
        }
    }

    /** Deterministic pseudo-random bytes of a given size, produced on the fly. */
    static final class Generated extends InputStream {
        private final Random random;
        private long left;
        private final byte[] block = new byte[64 * 1024];
        private int pos = block.length;

        Generated(long size, long seed) {
            this.left = size;
            this.random = new Random(seed);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            if (pos == block.length) {
                random.nextBytes(block);
                pos = 0;
            }
            int n = (int) Math.min(Math.min(len, block.length - pos), left);
            System.arraycopy(block, pos, b, off, n);
            pos += n;
            left -= n;
            return n;
        }
    }
}
