package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkMapTest {
    private static ChunkMap randomMap(Random rnd, int count) {
        List<ChunkRef> chunks = new ArrayList<>();
        long off = 0;
        for (int i = 0; i < count; i++) {
            int len = 1 + rnd.nextInt(300_000);
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            chunks.add(new ChunkRef(off, len, ObjectId.ofDigest(h)));
            off += len;
        }
        return ChunkMap.of(chunks);
    }

    @Test
    void encodeDecodeRoundTripsRandomMaps() {
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            ChunkMap m = randomMap(rnd, rnd.nextInt(50));
            ChunkMap back = ChunkMap.decode(m.encode());
            assertThat(back).isEqualTo(m);
            assertThat(back.chunks()).isEqualTo(m.chunks());
        }
    }

    @Test
    void everyTruncationIsAFormatError() {
        byte[] enc = randomMap(new Random(1), 5).encode();
        for (int n = 0; n < enc.length; n++) {
            byte[] cut = Arrays.copyOf(enc, n);
            assertThatThrownBy(() -> ChunkMap.decode(cut)).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void randomCorruptionNeverThrowsAnythingButFormatError() {
        Random rnd = new Random(7);
        byte[] enc = randomMap(rnd, 8).encode();
        for (int i = 0; i < 2000; i++) {
            byte[] bad = enc.clone();
            int flips = 1 + rnd.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bad[rnd.nextInt(Math.min(bad.length, 24))] ^= (byte) (1 << rnd.nextInt(8));
            }
            try {
                ChunkMap.decode(bad);
            } catch (FormatException expected) {
                // fine: clear error
            }
        }
    }

    @Test
    void trailingBytesAndBadMagicAreRejected() {
        byte[] enc = randomMap(new Random(2), 3).encode();
        byte[] longer = Arrays.copyOf(enc, enc.length + 1);
        assertThatThrownBy(() -> ChunkMap.decode(longer)).hasMessageContaining("trailing");
        byte[] magic = enc.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> ChunkMap.decode(magic)).hasMessageContaining("magic");
    }

    @Test
    void hugeChunkCountIsRejectedBeforeAllocating() {
        // magic, size=0, count=2^40
        byte[] bad = {'L', 'C', 'M', 1, 0, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20};
        assertThatThrownBy(() -> ChunkMap.decode(bad))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("claims");
    }

    @Test
    void sizeMustMatchTheSumOfLengths() {
        ChunkMap m = randomMap(new Random(3), 2);
        byte[] enc = m.encode();
        // size is the first varint after the magic; bump its low bits
        enc[4] ^= 1;
        assertThatThrownBy(() -> ChunkMap.decode(enc)).isInstanceOf(FormatException.class);
    }

    @Test
    void chunkIndexAtFindsTheChunkHoldingAnOffset() {
        ChunkMap m = randomMap(new Random(4), 10);
        for (int i = 0; i < m.chunkCount(); i++) {
            ChunkRef c = m.chunk(i);
            assertThat(m.chunkIndexAt(c.offset())).isEqualTo(i);
            assertThat(m.chunkIndexAt(c.offset() + c.length() - 1)).isEqualTo(i);
        }
        assertThatThrownBy(() -> m.chunkIndexAt(m.size())).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void chunksMustTileFromZero() {
        ObjectId h = Sha256.of(new byte[0]);
        assertThatThrownBy(() -> ChunkMap.of(List.of(new ChunkRef(5, 10, h)))).hasMessageContaining("starts at 5");
    }
}
