package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {
    @TempDir
    Path dir;

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private LocalObjectStore store() {
        return LocalObjectStore.open(dir.resolve("store"));
    }

    @Test
    void putStoresBytesUnderTheirHashInAShardedLayout() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(1, 100_000);
        StoredObject o = s.putBytes(data);
        assertThat(o.id()).isEqualTo(Sha256.of(data));
        assertThat(o.created()).isTrue();
        assertThat(o.size()).isEqualTo(data.length);
        Path p = s.pathOf(o.id());
        assertThat(dir.resolve("store").relativize(p).toString())
                .isEqualTo("objects/" + o.id().hex().substring(0, 2) + "/"
                        + o.id().hex().substring(2, 4) + "/" + o.id());
        assertThat(Files.readAllBytes(p)).isEqualTo(data);
        assertThat(s.readAllBytes(o.id())).isEqualTo(data);
    }

    @Test
    void secondPutOfTheSameBytesStoresNothingNew() {
        LocalObjectStore s = store();
        byte[] data = random(2, 5000);
        assertThat(s.putBytes(data).created()).isTrue();
        StoreStats before = s.stats();
        assertThat(s.putBytes(data).created()).isFalse();
        assertThat(s.stats()).isEqualTo(before);
        assertThat(before.objects()).isEqualTo(1);
        assertThat(before.bytes()).isEqualTo(5000);
    }

    @Test
    void multiChunkObjectsGetAStoredChunkMap() {
        LocalObjectStore s = store();
        byte[] data = random(3, 1 << 20);
        StoredObject o = s.putBytes(data);
        assertThat(o.chunkMap().chunkCount()).isGreaterThan(1);
        assertThat(o.chunkMapId()).isNotNull();
        ChunkMap stored = ChunkMap.decode(s.readAllBytes(o.chunkMapId()));
        assertThat(stored).isEqualTo(o.chunkMap());
    }

    @Test
    void singleChunkObjectsHaveNoSeparateChunkMap() {
        StoredObject o = store().putBytes(random(4, 1000));
        assertThat(o.chunkMapId()).isNull();
        assertThat(o.chunkMap().chunkCount()).isEqualTo(1);
    }

    @Test
    void concurrentPutsOfTheSameContentAreSafe() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(5, 700_000);
        int n = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<StoredObject>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(() -> {
                go.await();
                return s.put(new ByteArrayInputStream(data));
            }));
        }
        go.countDown();
        Set<ObjectId> ids = ConcurrentHashMap.newKeySet();
        for (Future<StoredObject> f : fs) {
            ids.add(f.get().id());
        }
        pool.shutdown();
        assertThat(ids).containsExactly(Sha256.of(data));
        assertThat(s.readAllBytes(Sha256.of(data))).isEqualTo(data);
        try (Stream<Path> tmp = Files.list(dir.resolve("store/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void rangesReadExactlyTheRequestedBytes() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(6, 300_000);
        ObjectId id = s.putBytes(data).id();
        Random rnd = new Random(6);
        for (int i = 0; i < 50; i++) {
            int off = rnd.nextInt(data.length);
            int len = rnd.nextInt(data.length - off + 1);
            try (InputStream in = s.openRange(id, new ByteRange(off, len))) {
                byte[] got = in.readAllBytes();
                assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(data, off, off + len));
            }
        }
        assertThatThrownBy(() -> s.openRange(id, new ByteRange(data.length - 1, 2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(id.hex());
    }

    @Test
    void fileChannelAllowsPositionalReads() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(7, 10_000);
        ObjectId id = s.putBytes(data).id();
        try (FileChannel ch = s.openFileChannel(id)) {
            ByteBuffer b = ByteBuffer.allocate(10);
            ch.read(b, 500);
            assertThat(b.array()).isEqualTo(java.util.Arrays.copyOfRange(data, 500, 510));
            assertThat(ch.size()).isEqualTo(data.length);
        }
    }

    @Test
    void verifyDetectsACorruptedObject() throws Exception {
        LocalObjectStore s = store();
        ObjectId id = s.putBytes(random(8, 20_000)).id();
        s.verify(id);
        try (FileChannel ch = FileChannel.open(s.pathOf(id), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {42}), 1234);
        }
        assertThatThrownBy(() -> s.verify(id))
                .isInstanceOf(CorruptObjectException.class)
                .hasMessageContaining(id.hex());
        assertThatThrownBy(() -> s.readAllBytes(id)).isInstanceOf(CorruptObjectException.class);
    }

    @Test
    void putVerifiedWithTheWrongHashStoresNothing() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(9, 50_000);
        ObjectId wrong = Sha256.of(new byte[] {1});
        assertThatThrownBy(() -> s.putVerified(new ByteArrayInputStream(data), wrong))
                .isInstanceOf(CorruptObjectException.class)
                .hasMessageContaining(wrong.hex());
        assertThat(s.contains(Sha256.of(data))).isFalse();
        assertThat(s.stats().objects()).isZero();
        try (Stream<Path> tmp = Files.list(dir.resolve("store/tmp"))) {
            assertThat(tmp).isEmpty();
        }
        assertThat(s.putVerified(new ByteArrayInputStream(data), Sha256.of(data))
                        .created())
                .isTrue();
    }

    @Test
    void aFailingSourceLeavesNoPartialObject() throws Exception {
        LocalObjectStore s = store();
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws java.io.IOException {
                if (n++ > 100_000) {
                    throw new java.io.IOException("connection reset");
                }
                return 7;
            }
        };
        assertThatThrownBy(() -> s.put(failing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("connection reset");
        assertThat(s.stats().objects()).isZero();
        try (Stream<Path> tmp = Files.list(dir.resolve("store/tmp"))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void deleteRemovesAndUpdatesStats() {
        LocalObjectStore s = store();
        ObjectId a = s.putBytes(random(10, 100)).id();
        s.putBytes(random(11, 200));
        assertThat(s.stats()).isEqualTo(new StoreStats(2, 300));
        assertThat(s.delete(a)).isTrue();
        assertThat(s.delete(a)).isFalse();
        assertThat(s.contains(a)).isFalse();
        assertThat(s.stats()).isEqualTo(new StoreStats(1, 200));
        assertThat(LocalObjectStore.open(dir.resolve("store")).stats()).isEqualTo(new StoreStats(1, 200));
    }

    @Test
    void missingObjectsAreReportedByIdNotByPath() {
        LocalObjectStore s = store();
        ObjectId id = Sha256.of(new byte[] {9});
        assertThatThrownBy(() -> s.open(id))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining(id.hex());
        assertThatThrownBy(() -> s.readAllBytes(id)).isInstanceOf(ObjectNotFoundException.class);
        assertThatThrownBy(() -> s.verify(id)).isInstanceOf(ObjectNotFoundException.class);
        assertThat(s.size(id)).isEmpty();
    }

    @Test
    void putFileOfAMissingFileNamesIt() {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> store().putFile(missing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("missing.png");
    }

    @Test
    void forEachListsEveryObject() {
        LocalObjectStore s = store();
        Set<ObjectId> ids = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            ids.add(s.putBytes(random(100 + i, 10)).id());
        }
        Set<ObjectId> seen = new java.util.HashSet<>();
        s.forEach(seen::add);
        assertThat(seen).isEqualTo(ids);
    }

    @Test
    void putOfHeldBytesRenewsTheirTimeSoDeleteIfOlderThanSparesThem() throws Exception {
        LocalObjectStore s = store();
        byte[] data = random(9, 3000);
        ObjectId id = s.putBytes(data).id();
        java.time.Instant old = java.time.Instant.now().minus(java.time.Duration.ofHours(2));
        Files.setLastModifiedTime(s.pathOf(id), java.nio.file.attribute.FileTime.from(old));
        java.time.Instant cutoff = java.time.Instant.now().minus(java.time.Duration.ofHours(1));
        assertThat(s.lastModified(id)).hasValueSatisfying(t -> assertThat(t).isBefore(cutoff));

        assertThat(s.putBytes(data).created()).isFalse();

        assertThat(s.lastModified(id)).hasValueSatisfying(t -> assertThat(t).isAfter(cutoff));
        assertThat(s.deleteIfOlderThan(id, cutoff)).isFalse();
        assertThat(s.contains(id)).isTrue();
        assertThat(s.deleteIfOlderThan(id, java.time.Instant.now().plusSeconds(60)))
                .isTrue();
        assertThat(s.contains(id)).isFalse();
        assertThat(s.lastModified(id)).isEmpty();
        assertThat(s.deleteIfOlderThan(id, java.time.Instant.now().plusSeconds(60)))
                .isFalse();
        assertThat(s.stats().objects()).isZero();
    }
}
