package dev.lode.core;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Computes a FastCDC chunk map (boundaries plus the SHA-256 of each chunk) of bytes fed in any
 * slicing; the result does not depend on how the bytes were split. {@link ObjectDigester} adds the
 * whole-object hash in the same pass.
 *
 * <p>Chunking is FastCDC with normalised chunking (Xia et al., 2016/2020): no cut before
 * {@code min}; between {@code min} and {@code avg} a cut needs the harder mask (log2(avg)+2 bits);
 * between {@code avg} and {@code max} the easier one (log2(avg)-2 bits); a cut is forced at
 * {@code max}. The gear fingerprint restarts at zero for every chunk. Not thread-safe.
 */
public final class Chunker {
    private final MessageDigest chunk = Sha256.newDigest();
    private final int min;
    private final int avg;
    private final int max;
    private final long maskS;
    private final long maskL;

    private long fp;
    private int chunkLen;
    private long total;

    private int count;
    private int[] lengths = new int[16];
    private byte[] hashes = new byte[16 * ObjectId.BYTE_LENGTH];
    private boolean finished;

    // Results of scan(), kept in fields to avoid allocating a pair per call.
    private long scanFp;
    private boolean scanCut;

    public Chunker(ChunkerConfig config) {
        this.min = config.min();
        this.avg = config.avg();
        this.max = config.max();
        int bits = Integer.numberOfTrailingZeros(avg);
        this.maskS = Gear.mask(bits + 2);
        this.maskL = Gear.mask(bits - 2);
    }

    /** Bytes fed so far. */
    public long size() {
        return total;
    }

    /** Feeds {@code len} bytes of {@code b} from {@code off}. */
    public void update(byte[] b, int off, int len) {
        if (finished) {
            throw new IllegalStateException("chunker already finished");
        }
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        total += len;
        final int end = off + len;
        int i = off;
        while (i < end) {
            int pos = chunkLen;
            int j = i;
            boolean cut = false;
            if (pos < min) {
                int n = Math.min(min - pos, end - j);
                j += n;
                pos += n;
            }
            long h = fp;
            if (j < end && pos < avg) {
                int lim = j + Math.min(avg - pos, end - j);
                j = scan(b, j, lim, h, maskS);
                h = scanFp;
                cut = scanCut;
                pos = chunkLen + (j - i);
            }
            if (!cut && j < end && pos >= avg) {
                int lim = j + Math.min(max - pos, end - j);
                j = scan(b, j, lim, h, maskL);
                h = scanFp;
                cut = scanCut;
                pos = chunkLen + (j - i);
                if (pos == max) {
                    cut = true;
                }
            }
            chunk.update(b, i, j - i);
            if (cut) {
                emit(pos);
                fp = 0;
                chunkLen = 0;
            } else {
                fp = h;
                chunkLen = pos;
            }
            i = j;
        }
    }

    /**
     * Rolls the gear fingerprint {@code h} over {@code b[j..lim)} until {@code (h & m) == 0}.
     * Returns the index after the last byte rolled in; leaves the fingerprint in {@link #scanFp}
     * and whether a cut was found in {@link #scanCut}.
     */
    private int scan(byte[] b, int j, int lim, long h, long m) {
        final long[] g = Gear.TABLE;
        while (j < lim) {
            h = (h << 1) + g[b[j++] & 0xFF];
            if ((h & m) == 0) {
                return found(h, j);
            }
        }
        scanFp = h;
        scanCut = false;
        return j;
    }

    private int found(long h, int next) {
        scanFp = h;
        scanCut = true;
        return next;
    }

    private void emit(int length) {
        if (count == lengths.length) {
            lengths = Arrays.copyOf(lengths, count * 2);
            hashes = Arrays.copyOf(hashes, count * 2 * ObjectId.BYTE_LENGTH);
        }
        lengths[count] = length;
        try {
            chunk.digest(hashes, count * ObjectId.BYTE_LENGTH, ObjectId.BYTE_LENGTH);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        count++;
    }

    /** Ends the object and returns its chunk map. The chunker cannot be used afterwards. */
    public ChunkMap finish() {
        if (finished) {
            throw new IllegalStateException("chunker already finished");
        }
        finished = true;
        if (chunkLen > 0) {
            emit(chunkLen);
            chunkLen = 0;
        }
        return ChunkMap.of(total, Arrays.copyOf(lengths, count), Arrays.copyOf(hashes, count * ObjectId.BYTE_LENGTH));
    }
}
