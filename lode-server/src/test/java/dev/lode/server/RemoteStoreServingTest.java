package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.ByteRange;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStores;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving from a store that is not a local folder (the S3 case): bodies stream through {@link
 * RemoteRangeInput} instead of {@code sendfile}. The store here is a real local store behind a
 * wrapper that hides it, can slow reads down and can fail after some bytes, so every path of the
 * remote stream is exercised without a network.
 */
class RemoteStoreServingTest {
    @TempDir
    Path data;

    private Remote remote;
    private ServerFixture fx;

    @BeforeEach
    void start() {
        remote = new Remote(LocalObjectStore.open(data.resolve("remote")));
        fx = ServerFixture.start(data, b -> b.stores(ObjectStores.single(remote)));
    }

    @AfterEach
    void stop() {
        fx.close();
        remote.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void largeObjectsAreStreamedWholeByRangeAndByMultipleRanges() {
        byte[] body = random(5_000_000, 1);
        assertThat(fx.putAsset("big.bin", body).statusCode()).isEqualTo(201);

        HttpResponse<byte[]> whole = fx.get("/assets/big.bin");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(body);

        HttpResponse<byte[]> one = fx.get("/assets/big.bin", "Range", "bytes=1000000-1000099");
        assertThat(one.statusCode()).isEqualTo(206);
        assertThat(one.body()).isEqualTo(Arrays.copyOfRange(body, 1_000_000, 1_000_100));

        HttpResponse<byte[]> multi = fx.get("/assets/big.bin", "Range", "bytes=0-9,4999990-");
        assertThat(multi.statusCode()).isEqualTo(206);
        String text = new String(multi.body(), StandardCharsets.ISO_8859_1);
        assertThat(text)
                .contains(new String(Arrays.copyOfRange(body, 0, 10), StandardCharsets.ISO_8859_1))
                .contains(new String(Arrays.copyOfRange(body, 4_999_990, 5_000_000), StandardCharsets.ISO_8859_1));

        HttpResponse<byte[]> head = fx.send(fx.req("/assets/big.bin")
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .build());
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(5_000_000);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void smallObjectsOfARemoteStoreAreServedFromMemoryAfterTheFirstRead() {
        byte[] body = random(10_000, 2);
        fx.putAsset("small.bin", body);
        long before = remote.rangeReads.get();
        for (int i = 0; i < 5; i++) {
            assertThat(fx.get("/assets/small.bin").body()).isEqualTo(body);
        }
        assertThat(remote.rangeReads.get() - before).isLessThanOrEqualTo(1);
    }

    @Test
    void aClientThatHangsUpMidBodyStopsTheReadAndTheServerGoesOn() throws Exception {
        byte[] body = random(8_000_000, 3);
        fx.putAsset("big.bin", body);
        remote.delayMillisPerRead = 2;
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.getOutputStream()
                    .write("GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().readNBytes(300_000);
        }
        remote.delayMillisPerRead = 0;
        // the reader thread notices the closed response and stops reading the object
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (remote.openStreams.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(remote.openStreams.get()).isZero();
        assertThat(fx.get("/assets/big.bin").body()).isEqualTo(body);
    }

    @Test
    void aStoreFailureMidBodyCutsTheResponseShortInsteadOfSendingWrongBytes() throws Exception {
        byte[] body = random(3_000_000, 4);
        fx.putAsset("big.bin", body);
        remote.failAfterBytes = 1_000_000;
        byte[] got;
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            got = s.getInputStream().readAllBytes(); // ends when the server closes the connection
        }
        String head = new String(got, 0, Math.min(got.length, 200), StandardCharsets.ISO_8859_1);
        assertThat(head).startsWith("HTTP/1.1 200");
        assertThat(got.length).isLessThan(3_000_000);
        remote.failAfterBytes = -1;
        assertThat(fx.get("/assets/big.bin").body()).isEqualTo(body);
    }

    @Test
    void aWholeObjectThatNoLongerMatchesItsHashIsCutShortButRangesStillServe() throws Exception {
        byte[] body = random(2_000_000, 5);
        fx.putAsset("big.bin", body);
        ObjectId id = dev.lode.core.Sha256.of(body);
        Path file = remote.local.pathOf(id);
        byte[] bad = body.clone();
        bad[1_999_000] ^= 1;
        file.toFile().setWritable(true);
        java.nio.file.Files.write(file, bad);

        byte[] got;
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write("GET /assets/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            got = s.getInputStream().readAllBytes();
        }
        assertThat(new String(got, 0, 20, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
        assertThat(got.length).isLessThan(2_000_000); // headers + all but the held-back last chunk

        HttpResponse<byte[]> range = fx.get("/assets/big.bin", "Range", "bytes=0-99");
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(Arrays.copyOfRange(body, 0, 100));
    }

    /** A local store that does not look like one, with a throttle and a failure switch on reads. */
    static final class Remote extends ForwardingStore {
        final AtomicLong rangeReads = new AtomicLong();
        final AtomicLong openStreams = new AtomicLong();
        volatile long delayMillisPerRead;
        volatile long failAfterBytes = -1;

        Remote(LocalObjectStore local) {
            super(local);
        }

        @Override
        public InputStream openRange(ObjectId id, ByteRange range) {
            rangeReads.incrementAndGet();
            openStreams.incrementAndGet();
            long failAt = failAfterBytes;
            return new FilterInputStream(local.openRange(id, range)) {
                long read;
                boolean closed;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    long delay = delayMillisPerRead;
                    if (delay > 0) {
                        try {
                            Thread.sleep(delay);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException("interrupted");
                        }
                    }
                    if (failAt >= 0 && read >= failAt) {
                        throw new IOException("remote store connection reset (test)");
                    }
                    int n = super.read(b, off, Math.min(len, 64 * 1024));
                    if (n > 0) {
                        read += n;
                    }
                    return n;
                }

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        openStreams.decrementAndGet();
                    }
                    super.close();
                }
            };
        }

        @Override
        public byte[] readAllBytes(ObjectId id) {
            rangeReads.incrementAndGet();
            return local.readAllBytes(id);
        }
    }
}
