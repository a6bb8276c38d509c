package dev.lode.core;

import java.io.ByteArrayOutputStream;

/** Unsigned LEB128 varints, as used by lode's binary formats. */
final class Varint {
    private Varint() {}

    static void write(ByteArrayOutputStream out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("varints are unsigned: " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** Reads varints and raw bytes from an array, failing with a message that names the format. */
    static final class Reader {
        private final byte[] data;
        private final String what;
        private int pos;

        Reader(byte[] data, int pos, String what) {
            this.data = data;
            this.pos = pos;
            this.what = what;
        }

        int position() {
            return pos;
        }

        long readLong() {
            long result = 0;
            for (int shift = 0; shift <= 56; shift += 7) {
                if (pos >= data.length) {
                    throw new FormatException(what + " is truncated at byte " + pos);
                }
                int b = data[pos++] & 0xFF;
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new FormatException(what + " has a varint longer than 63 bits at byte " + pos);
        }

        void readBytes(byte[] dst, int off, int len) {
            if (data.length - pos < len) {
                throw new FormatException(what + " is truncated at byte " + pos);
            }
            System.arraycopy(data, pos, dst, off, len);
            pos += len;
        }
    }
}
