package dev.lode.core;

/**
 * A contiguous run of bytes: {@code length} bytes starting at {@code offset}.
 *
 * @param offset first byte, zero-based
 * @param length number of bytes, possibly zero
 */
public record ByteRange(long offset, long length) {
    public ByteRange {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException(
                    "byte range needs offset >= 0 and length >= 0, got " + offset + "+" + length);
        }
        if (offset + length < 0) {
            throw new IllegalArgumentException("byte range overflows: " + offset + "+" + length);
        }
    }

    /** The whole of an object of {@code size} bytes. */
    public static ByteRange whole(long size) {
        return new ByteRange(0, size);
    }

    /** One past the last byte. */
    public long end() {
        return offset + length;
    }

    /** Whether this range lies inside an object of {@code size} bytes. */
    public boolean fitsIn(long size) {
        return end() <= size;
    }
}
