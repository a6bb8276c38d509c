package dev.lode.stream;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import dev.lode.core.FormatException;
import java.util.Locale;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

/**
 * How an object's stored bytes are compressed. Kept in a manifest entry's {@code compression}
 * meta key; {@code rawSize} gives the decompressed length (required for LZ4, which uses the block
 * format and stores no length of its own).
 */
public enum Compression {
    /** Stored as is. */
    NONE,
    /** A Zstandard frame. */
    ZSTD,
    /** One LZ4 block (lz4-java's block format). */
    LZ4;

    private static final LZ4Factory LZ4_FACTORY = LZ4Factory.fastestInstance();

    // One native decompression context per worker thread: creating one per call costs more than
    // decompressing a small asset.
    private static final ThreadLocal<ZstdDecompressCtx> ZSTD_CTX = ThreadLocal.withInitial(ZstdDecompressCtx::new);

    /** The name used in manifest meta: {@code none}, {@code zstd}, {@code lz4}. */
    public String metaName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a meta value; a missing value means {@link #NONE}. */
    public static Compression parse(String value) {
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none", "identity" -> NONE;
            case "zstd", "zst" -> ZSTD;
            case "lz4" -> LZ4;
            default -> throw new FormatException("unknown compression '" + value + "' (none, zstd or lz4)");
        };
    }

    /** Compresses {@code raw} (for packers and tests; the runtime only decompresses). */
    public byte[] compress(byte[] raw) {
        return switch (this) {
            case NONE -> raw.clone();
            case ZSTD -> Zstd.compress(raw, 3);
            case LZ4 -> LZ4_FACTORY.fastCompressor().compress(raw);
        };
    }

    /**
     * Decompresses {@code stored} into exactly {@code rawSize} bytes.
     *
     * @param what names the asset in error messages
     * @throws FormatException when the bytes do not decompress to {@code rawSize} bytes
     */
    public byte[] decompress(byte[] stored, long rawSize, String what) {
        if (rawSize < 0 || rawSize > Integer.MAX_VALUE - 8) {
            throw new FormatException("bad decompressed size " + rawSize + " for " + what);
        }
        int n = (int) rawSize;
        try {
            return switch (this) {
                case NONE -> {
                    if (stored.length != n) {
                        throw new FormatException(
                                "size mismatch for " + what + ": " + stored.length + " bytes, expected " + n);
                    }
                    yield stored;
                }
                case ZSTD -> zstd(stored, n, what);
                case LZ4 -> {
                    byte[] out = new byte[n];
                    int read = LZ4_FACTORY.safeDecompressor().decompress(stored, 0, stored.length, out, 0, n);
                    if (read != n) {
                        throw new FormatException("lz4 block of " + what + " gave " + read + " bytes, expected " + n);
                    }
                    yield out;
                }
            };
        } catch (LZ4Exception e) {
            throw new FormatException("corrupt lz4 data in " + what + ": " + e.getMessage(), e);
        }
    }

    private static byte[] zstd(byte[] stored, int n, String what) {
        // The output is sized from the catalog's rawSize, never from the frame header, so a lying
        // header cannot make us allocate; a frame that does not fill it exactly is an error.
        byte[] out = new byte[n];
        long r;
        try {
            r = ZSTD_CTX.get().decompressByteArray(out, 0, n, stored, 0, stored.length);
        } catch (ZstdException e) {
            throw new FormatException("corrupt zstd data in " + what + ": " + e.getMessage(), e);
        }
        if (r != n) {
            throw new FormatException("zstd frame of " + what + " holds " + r + " bytes, expected " + n);
        }
        return out;
    }
}
