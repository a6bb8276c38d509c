package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.FormatException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressionTest {
    @Test
    void everyFormatRoundTripsSeededData() {
        Random r = new Random(5);
        for (int round = 0; round < 40; round++) {
            byte[] raw = new byte[r.nextInt(200_000)];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (byte) (r.nextInt(8) == 0 ? r.nextInt() : i / 100);
            }
            for (Compression c : Compression.values()) {
                byte[] stored = c.compress(raw);
                assertThat(c.decompress(stored, raw.length, "x")).isEqualTo(raw);
                assertThat(Compression.parse(c.metaName())).isEqualTo(c);
            }
        }
    }

    @Test
    void wrongSizeOrCorruptDataIsAFormatError() {
        byte[] raw = "hello hello hello hello".repeat(100).getBytes();
        for (Compression c : Compression.values()) {
            byte[] stored = c.compress(raw);
            assertThatThrownBy(() -> c.decompress(stored, raw.length + 1, "tex/a.png"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("tex/a.png");
        }
        byte[] junk = new byte[64];
        new Random(1).nextBytes(junk);
        assertThatThrownBy(() -> Compression.ZSTD.decompress(junk, 100, "j")).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> Compression.LZ4.decompress(junk, 100, "j")).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> Compression.parse("brotli")).isInstanceOf(FormatException.class);
        assertThat(Compression.parse(null)).isEqualTo(Compression.NONE);
    }
}
