package dev.lode.core;

/**
 * The FastCDC gear table and masks. Both are part of lode's on-disk and wire format: every chunk
 * boundary depends on them, so they are generated from fixed constants and must never change.
 */
final class Gear {
    /** 256 pseudo-random 64-bit values from SplitMix64 seeded with a fixed constant. */
    static final long[] TABLE = table(0x6c6f64652d676561L); // "lode-gea"

    private Gear() {}

    private static long[] table(long seed) {
        long[] t = new long[256];
        long x = seed;
        for (int i = 0; i < 256; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            t[i] = z ^ (z >>> 31);
        }
        return t;
    }

    /**
     * A mask with {@code bits} one-bits spread over the top 48 bits of the fingerprint. With the
     * gear hash's left shift, higher bits depend on more of the preceding bytes, so spreading the
     * bits (as FastCDC does) makes a cut depend on a window of about 48 bytes, not on the last few.
     */
    static long mask(int bits) {
        if (bits < 1 || bits > 48) {
            throw new IllegalArgumentException("mask bits out of range: " + bits);
        }
        long m = 0;
        for (int j = 0; j < bits; j++) {
            int pos = 63 - (j * 48) / bits;
            m |= 1L << pos;
        }
        return m;
    }
}
