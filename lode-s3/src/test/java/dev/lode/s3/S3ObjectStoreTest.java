package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ByteRange;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.MediaType;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import dev.lode.core.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

class S3ObjectStoreTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static RequestLog log = new RequestLog();
    static PartFaults faults = new PartFaults();
    static S3Stores stores;

    @BeforeAll
    static void start() {
        server = S3ProxyServer.start(tmp.resolve("s3"));
        stores = S3Stores.open(server.settings("assets")
                .partSize(5 * MIB)
                .uploadConcurrency(3)
                .retry(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50)))
                .spoolDir(tmp.resolve("spool"))
                .interceptor(log)
                .interceptor(faults)
                .build());
        assertThat(stores.createBucketIfMissing()).isTrue();
        assertThat(stores.createBucketIfMissing()).isFalse();
    }

    @AfterAll
    static void stop() {
        stores.close();
        server.close();
    }

    @BeforeEach
    void clearLog() {
        log.clear();
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void smallPutStoresUnderTenantKeyWithTypeAndImmutableCaching() {
        S3ObjectStore store = stores.forTenant("acme");
        byte[] data = random(1, 300_000);
        StoredObject put = store.put(new ByteArrayInputStream(data), PutOptions.forPath("ship.glb"));

        assertThat(put.created()).isTrue();
        assertThat(put.id()).isEqualTo(Sha256.of(data));
        assertThat(put.size()).isEqualTo(data.length);
        assertThat(store.keyOf(put.id())).isEqualTo("acme/objects/" + put.id().hex());
        assertThat(store.mediaType(put.id())).contains(new MediaType("model/gltf-binary", false));
        assertThat(store.cacheControl(put.id())).contains("public, max-age=31536000, immutable");
        assertThat(store.readAllBytes(put.id())).isEqualTo(data);
        assertThat(log.operations()).contains("PutObject").doesNotContain("CreateMultipartUpload", "UploadPart");
        // more than one chunk: the chunk map is stored as an object too
        assertThat(put.chunkMapRef()).isPresent();
        assertThat(store.readAllBytes(put.chunkMapId()))
                .isEqualTo(put.chunkMap().encode());
    }

    @Test
    void secondPutOfSameBytesTransfersNothing() {
        S3ObjectStore store = stores.forTenant("dedup");
        byte[] data = random(2, 12 * (int) MIB);
        StoredObject first = store.putBytes(data);
        assertThat(first.created()).isTrue();
        log.clear();

        StoredObject second = store.putBytes(data);

        assertThat(second.created()).isFalse();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.chunkMap()).isEqualTo(first.chunkMap());
        assertThat(log.operations()).containsOnly("HeadObject");
    }

    @Test
    void putVerifiedOfAHeldObjectReadsNothingAndReturnsItsChunkMap() {
        S3ObjectStore store = stores.forTenant("known");
        byte[] big = random(12, 3 * (int) MIB);
        byte[] small = random(13, 1000);
        StoredObject bigPut = store.putBytes(big);
        StoredObject smallPut = store.putBytes(small);
        InputStream unreadable = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("must not be read");
            }
        };
        log.clear();

        StoredObject bigAgain = store.putVerified(unreadable, bigPut.id());
        StoredObject smallAgain = store.putVerified(unreadable, smallPut.id());

        assertThat(bigAgain)
                .isEqualTo(new StoredObject(bigPut.id(), big.length, bigPut.chunkMapId(), bigPut.chunkMap(), false));
        assertThat(smallAgain)
                .isEqualTo(new StoredObject(smallPut.id(), small.length, null, smallPut.chunkMap(), false));
        assertThat(log.operations()).containsExactlyInAnyOrder("HeadObject", "GetObject", "HeadObject");
    }

    @Test
    void dedupStaysWithinOneTenant() {
        byte[] data = random(3, 50_000);
        assertThat(stores.forTenant("t1").putBytes(data).created()).isTrue();
        assertThat(stores.forTenant("t2").putBytes(data).created()).isTrue();
        assertThat(stores.forTenant("t1").putBytes(data).created()).isFalse();
    }

    @Test
    void largeUploadGoesInFixedSizePartsAndRoundTrips() throws IOException {
        S3ObjectStore store = stores.forTenant("multi");
        byte[] data = random(4, (int) (23 * MIB + 12345));
        StoredObject put = store.put(new ByteArrayInputStream(data), PutOptions.forPath("intro.mp4"));

        assertThat(put.created()).isTrue();
        assertThat(log.count("CreateMultipartUpload")).isEqualTo(1);
        assertThat(log.count("UploadPart")).isEqualTo(5); // 4 × 5 MiB + the rest
        assertThat(log.count("CompleteMultipartUpload")).isEqualTo(1);
        assertThat(store.size(put.id())).hasValue(data.length);
        assertThat(store.mediaType(put.id())).map(MediaType::mime).contains("video/mp4");
        assertThat(store.cacheControl(put.id())).contains(S3ObjectStore.CACHE_CONTROL);
        store.verify(put.id());
        try (InputStream in = store.openRange(put.id(), ByteRange.whole(data.length))) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(tmp.resolve("spool")).isEmptyDirectory();
    }

    @Test
    void putFileUploadsTheFileWithoutSpooling() throws IOException {
        S3ObjectStore store = stores.forTenant("files");
        Path file = tmp.resolve("level.ktx2");
        byte[] data = random(5, (int) (11 * MIB));
        Files.write(file, data);

        StoredObject put = store.putFile(file);

        assertThat(put.id()).isEqualTo(Sha256.of(data));
        assertThat(store.mediaType(put.id())).map(MediaType::mime).contains("image/ktx2");
        assertThat(log.count("UploadPart")).isEqualTo(3);
        store.verify(put.id());
    }

    @Test
    void failedPartIsRetriedAndTheUploadSucceeds() {
        S3ObjectStore store = stores.forTenant("retry");
        byte[] data = random(6, (int) (16 * MIB));
        faults.fail(2, 1);

        StoredObject put = store.putBytes(data);

        assertThat(faults.injected()).isGreaterThanOrEqualTo(1);
        assertThat(log.count("UploadPart")).isEqualTo(4 + 1); // 4 parts, part 2 twice
        assertThat(store.readAllBytes(put.id())).isEqualTo(data);
        assertThat(multipartUploadsInProgress()).isEmpty();
    }

    @Test
    void partFailingForGoodAbortsTheUploadAndLeavesNothing() {
        S3ObjectStore store = stores.forTenant("abort");
        byte[] data = random(7, (int) (21 * MIB));
        faults.fail(3, 1000);
        try {
            assertThatThrownBy(() -> store.putBytes(data))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("multipart upload of s3://assets/abort/objects/" + Sha256.of(data));
        } finally {
            faults.fail(3, 0);
        }
        assertThat(log.count("AbortMultipartUpload")).isEqualTo(1);
        assertThat(multipartUploadsInProgress()).isEmpty();
        assertThat(store.contains(Sha256.of(data))).isFalse();
        assertThat(tmp.resolve("spool")).isEmptyDirectory();
    }

    @Test
    void partCorruptedInFlightIsRejectedByItsSha256AndTheUploadAborted() {
        S3ObjectStore store = stores.forTenant("integrity");
        byte[] data = random(11, (int) (12 * MIB));
        faults.corrupt(2, 1000);
        try {
            assertThatThrownBy(() -> store.putBytes(data))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("part 2");
        } finally {
            faults.corrupt(2, 0);
        }
        assertThat(multipartUploadsInProgress()).isEmpty();
        assertThat(store.contains(Sha256.of(data))).isFalse();
    }

    @Test
    void incompleteUploadsAreAbortedOnlyOnceOldEnough() {
        String key = stores.forTenant("crashed").keyOf(Sha256.of(new byte[] {9}));
        String uploadId = stores.client()
                .createMultipartUpload(b -> b.bucket("assets").key(key))
                .uploadId();
        stores.client()
                .uploadPart(
                        b -> b.bucket("assets").key(key).uploadId(uploadId).partNumber(1),
                        RequestBody.fromBytes(random(14, 1000)));
        assertThat(multipartUploadsInProgress()).contains(key + " " + uploadId);

        assertThat(stores.abortIncompleteUploads(Duration.ofDays(1))).isZero();
        assertThat(multipartUploadsInProgress()).contains(key + " " + uploadId);
        assertThat(stores.abortIncompleteUploads(Duration.ZERO.minusSeconds(5))).isEqualTo(1);
        assertThat(multipartUploadsInProgress()).isEmpty();
    }

    @Test
    void rangedReadsReturnExactlyTheRequestedBytes() throws IOException {
        S3ObjectStore store = stores.forTenant("ranges");
        byte[] data = random(8, 1_000_003);
        ObjectId id = store.putBytes(data).id();
        Random r = new Random(42);
        for (int i = 0; i < 25; i++) {
            int off = r.nextInt(data.length);
            int len = r.nextInt(data.length - off + 1);
            try (InputStream in = store.openRange(id, new ByteRange(off, len))) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, off, off + len));
            }
        }
        try (InputStream in = store.openRange(id, new ByteRange(data.length, 0))) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThatThrownBy(() -> store.openRange(id, new ByteRange(data.length - 10, 11)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside object " + id);
        assertThatThrownBy(() -> store.openRange(id, new ByteRange(data.length + 5, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        ObjectId missing = Sha256.of(new byte[] {1});
        assertThatThrownBy(() -> store.openRange(missing, new ByteRange(0, 1)))
                .isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void channelSeeksWithRangedGets() throws IOException {
        S3ObjectStore store = stores.forTenant("channel");
        byte[] data = random(9, 700_000);
        ObjectId id = store.putBytes(data).id();
        try (SeekableByteChannel ch = store.open(id)) {
            assertThat(ch.size()).isEqualTo(data.length);
            ByteBuffer buf = ByteBuffer.allocate(1000);
            ch.position(500_000);
            while (buf.hasRemaining()) {
                ch.read(buf);
            }
            assertThat(buf.array()).isEqualTo(Arrays.copyOfRange(data, 500_000, 501_000));
            ch.position(data.length);
            assertThat(ch.read(buf.clear())).isEqualTo(-1);
        }
        assertThatThrownBy(() -> store.open(Sha256.of(new byte[] {2}))).isInstanceOf(ObjectNotFoundException.class);
    }

    @Test
    void wholeReadsDetectBytesThatDoNotMatchTheirKey() {
        S3ObjectStore store = stores.forTenant("corrupt");
        ObjectId id = Sha256.of("the real content".getBytes());
        stores.client()
                .putObject(b -> b.bucket("assets").key(store.keyOf(id)), RequestBody.fromString("tampered content"));

        assertThatThrownBy(() -> store.readAllBytes(id))
                .isInstanceOf(CorruptObjectException.class)
                .hasMessageContaining(id.hex());
        assertThatThrownBy(() -> store.verify(id)).isInstanceOf(CorruptObjectException.class);
    }

    @Test
    void putVerifiedStoresNothingWhenTheHashDiffers() {
        S3ObjectStore store = stores.forTenant("verified");
        byte[] data = random(10, 9 * (int) MIB);
        ObjectId wrong = Sha256.of(new byte[] {3});
        assertThatThrownBy(() -> store.putVerified(new ByteArrayInputStream(data), wrong))
                .isInstanceOf(CorruptObjectException.class);
        assertThat(log.operations()).containsOnly("HeadObject");
        assertThat(store.contains(Sha256.of(data))).isFalse();
        assertThat(store.putVerified(new ByteArrayInputStream(data), Sha256.of(data))
                        .created())
                .isTrue();
    }

    @Test
    void listingStatsAndDeleteStayWithinTheTenant() {
        S3ObjectStore a = stores.forTenant("list-a");
        S3ObjectStore b = stores.forTenant("list-a2");
        ObjectId x = a.putBytes("x".getBytes()).id();
        ObjectId y = a.putBytes("yy".getBytes()).id();
        b.putBytes("zzz".getBytes());

        List<ObjectId> ids = new ArrayList<>();
        a.forEach(ids::add);
        assertThat(ids).containsExactlyInAnyOrder(x, y);
        assertThat(a.stats().objects()).isEqualTo(2);
        assertThat(a.stats().bytes()).isEqualTo(3);

        assertThat(a.delete(x)).isTrue();
        assertThat(a.delete(x)).isFalse();
        assertThat(a.contains(x)).isFalse();
        assertThat(b.stats().objects()).isEqualTo(1);
    }

    @Test
    void aDedupHitOnAnOldObjectRefreshesItSoGcCannotTakeItFromUnderTheNewPut() throws Exception {
        S3ObjectStore store = stores.forTenant("refresh");
        byte[] bytes = random(77, 5000);
        StoredObject first = store.put(new java.io.ByteArrayInputStream(bytes), PutOptions.forPath("a.ktx2"));
        ObjectId id = first.id();
        java.time.Instant twoHoursAgo = java.time.Instant.now().minus(java.time.Duration.ofHours(2));
        Path file = server.dir().resolve(stores.settings().bucket()).resolve(store.keyOf(id));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(twoHoursAgo));
        assertThat(store.lastModified(id)).hasValueSatisfying(t -> assertThat(t).isBefore(twoHoursAgo.plusSeconds(5)));

        StoredObject again = store.putBytes(bytes);

        assertThat(again.created()).isFalse();
        java.time.Instant hourAgo = java.time.Instant.now().minus(java.time.Duration.ofHours(1));
        assertThat(store.lastModified(id)).hasValueSatisfying(t -> assertThat(t).isAfter(hourAgo));
        assertThat(store.deleteIfOlderThan(id, hourAgo)).isFalse();
        assertThat(store.readAllBytes(id)).isEqualTo(bytes);
        assertThat(store.mediaType(id))
                .hasValueSatisfying(t -> assertThat(t.mime()).isEqualTo("image/ktx2"));
    }

    @Test
    void lastModifiedComesFromHeadAndGatesDeleteIfOlderThan() {
        S3ObjectStore store = stores.forTenant("aged");
        java.time.Instant before = java.time.Instant.now().minusSeconds(60);
        ObjectId id = store.putBytes("dated".getBytes()).id();
        assertThat(store.lastModified(id))
                .hasValueSatisfying(t -> assertThat(t)
                        .isAfter(before)
                        .isBefore(java.time.Instant.now().plusSeconds(60)));
        assertThat(store.lastModified(ObjectId.parse("0".repeat(64)))).isEmpty();
        assertThat(store.deleteIfOlderThan(id, before)).isFalse();
        assertThat(store.contains(id)).isTrue();
        assertThat(store.deleteIfOlderThan(id, java.time.Instant.now().plusSeconds(60)))
                .isTrue();
        assertThat(store.contains(id)).isFalse();
    }

    @Test
    void emptyObjectRoundTrips() {
        S3ObjectStore store = stores.forTenant("empty");
        StoredObject put = store.putBytes(new byte[0]);
        assertThat(put.size()).isZero();
        assertThat(store.readAllBytes(put.id())).isEmpty();
        assertThat(put.chunkMapRef()).isEmpty();
    }

    @Test
    void badTenantIdsAreRejected() {
        for (String bad : Stream.of("", "../x", "a/b", ".hidden", "-x", "a b", "x".repeat(129))
                .toList()) {
            assertThatThrownBy(() -> stores.forTenant(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tenant id");
        }
    }

    @Test
    void unreadableFileFailsWithItsPath() {
        Path missing = tmp.resolve("nope.png");
        assertThatThrownBy(() -> stores.forTenant("x").putFile(missing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(missing.toString());
    }

    static List<String> multipartUploadsInProgress() {
        return stores.client().listMultipartUploads(b -> b.bucket("assets")).uploads().stream()
                .map(u -> u.key() + " " + u.uploadId())
                .toList();
    }
}
