package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectDigesterTest {
    private static final ChunkerConfig SMALL = new ChunkerConfig(1024, 4096, 16384);

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ObjectDigester.Result digest(byte[] data, ChunkerConfig config) {
        ObjectDigester d = new ObjectDigester(config);
        d.update(data, 0, data.length);
        return d.finish();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void resultDoesNotDependOnHowTheBytesAreSliced(long seed) {
        Random rnd = new Random(seed);
        byte[] data = random(seed, 200_000 + rnd.nextInt(200_000));
        ObjectDigester.Result whole = digest(data, SMALL);
        ObjectDigester d = new ObjectDigester(SMALL);
        int pos = 0;
        while (pos < data.length) {
            int n = Math.min(data.length - pos, rnd.nextInt(5) == 0 ? 1 : rnd.nextInt(40_000));
            d.update(data, pos, n);
            pos += n;
        }
        assertThat(d.finish()).isEqualTo(whole);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void chunksTileTheObjectWithinTheSizeLimitsAndHashCorrectly(long seed) {
        byte[] data = random(seed, 500_000);
        ObjectDigester.Result r = digest(data, SMALL);
        assertThat(r.id()).isEqualTo(Sha256.of(data));
        assertThat(r.size()).isEqualTo(data.length);
        List<ChunkRef> chunks = r.chunkMap().chunks();
        long off = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkRef c = chunks.get(i);
            assertThat(c.offset()).isEqualTo(off);
            assertThat(c.length()).isLessThanOrEqualTo(SMALL.max());
            if (i < chunks.size() - 1) {
                assertThat(c.length()).isGreaterThanOrEqualTo(SMALL.min());
            }
            byte[] slice = Arrays.copyOfRange(data, (int) c.offset(), (int) (c.offset() + c.length()));
            assertThat(c.hash()).isEqualTo(Sha256.of(slice));
            off += c.length();
        }
        assertThat(off).isEqualTo(data.length);
    }

    @Test
    void averageChunkSizeIsNearTheTarget() {
        byte[] data = random(99, 8 << 20);
        ObjectDigester.Result r = digest(data, ChunkerConfig.DEFAULT);
        double avg = (double) data.length / r.chunkMap().chunkCount();
        // Normalised chunking centres sizes near avg (64 KiB); min adds to it.
        assertThat(avg).isBetween(40_000.0, 140_000.0);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void anInsertInTheMiddleChangesOnlyTheChunksAroundIt(long seed) {
        byte[] data = random(seed, 2 << 20);
        Random rnd = new Random(seed);
        int at = data.length / 3 + rnd.nextInt(data.length / 3);
        byte[] insert = random(seed + 1000, 1 + rnd.nextInt(5000));
        byte[] edited = new byte[data.length + insert.length];
        System.arraycopy(data, 0, edited, 0, at);
        System.arraycopy(insert, 0, edited, at, insert.length);
        System.arraycopy(data, at, edited, at + insert.length, data.length - at);

        ChunkMap before = digest(data, ChunkerConfig.DEFAULT).chunkMap();
        ChunkMap after = digest(edited, ChunkerConfig.DEFAULT).chunkMap();
        Set<ObjectId> old = new HashSet<>();
        before.chunks().forEach(c -> old.add(c.hash()));
        List<ChunkRef> fresh = new ArrayList<>();
        for (ChunkRef c : after.chunks()) {
            if (!old.contains(c.hash())) {
                fresh.add(c);
            }
        }
        // Only chunks near the edit are new: the one holding it, and at most a couple more while
        // the cut points resynchronise (within one max-size chunk of the edit).
        assertThat(fresh).isNotEmpty().hasSizeLessThanOrEqualTo(3);
        int max = ChunkerConfig.DEFAULT.max();
        for (ChunkRef c : fresh) {
            assertThat(c.offset()).isLessThanOrEqualTo((long) at + insert.length + max);
            assertThat(c.offset() + c.length()).isGreaterThanOrEqualTo(at);
        }
        assertThat(after.chunkCount()).isBetween(before.chunkCount() - 2, before.chunkCount() + 3);
    }

    @Test
    void sameBytesAlwaysGiveTheSameChunks() {
        byte[] data = random(5, 1 << 20);
        assertThat(digest(data, ChunkerConfig.DEFAULT)).isEqualTo(digest(data.clone(), ChunkerConfig.DEFAULT));
    }

    @Test
    void zeroFilledDataIsCutAtMax() {
        byte[] zeros = new byte[100_000];
        ChunkMap m = digest(zeros, SMALL).chunkMap();
        // A constant gear hash never matches the masks, so every chunk but the last is max-sized.
        for (int i = 0; i < m.chunkCount() - 1; i++) {
            assertThat(m.chunk(i).length()).isEqualTo(SMALL.max());
        }
    }

    @Test
    void emptyObjectHasNoChunks() {
        ObjectDigester.Result r = digest(new byte[0], SMALL);
        assertThat(r.chunkMap().chunkCount()).isZero();
        assertThat(r.id()).isEqualTo(Sha256.of(new byte[0]));
    }

    @Test
    void smallObjectIsOneChunk() {
        byte[] data = random(3, 500);
        ChunkMap m = digest(data, SMALL).chunkMap();
        assertThat(m.chunkCount()).isEqualTo(1);
        assertThat(m.chunk(0).hash()).isEqualTo(Sha256.of(data));
    }

    @Test
    void finishedDigesterRefusesMoreInput() {
        ObjectDigester d = new ObjectDigester(SMALL);
        d.finish();
        assertThatThrownBy(() -> d.update(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(d::finish).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void chunkerConfigIsValidated() {
        assertThatThrownBy(() -> new ChunkerConfig(1024, 3000, 8192)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new ChunkerConfig(8192, 4096, 16384)).hasMessageContaining("min < avg < max");
        assertThatThrownBy(() -> new ChunkerConfig(16, 4096, 16384)).hasMessageContaining("at least");
        assertThat(ChunkerConfig.parse("16K/64K/256K")).isEqualTo(ChunkerConfig.DEFAULT);
        assertThatThrownBy(() -> ChunkerConfig.parse("16K/64K")).hasMessageContaining("16K/64K/256K");
        assertThatThrownBy(() -> ChunkerConfig.parse("a/b/c")).hasMessageContaining("bad chunk size");
    }
}
