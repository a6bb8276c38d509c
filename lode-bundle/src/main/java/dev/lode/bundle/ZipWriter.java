package dev.lode.bundle;

import static dev.lode.bundle.ZipFormat.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a reproducible zip file: UTF-8 names, one fixed timestamp, Unix mode 0644, no extra
 * fields except the ZIP64 one where a size or offset needs it, and no comment.
 *
 * <p>lode writes zips itself rather than through {@code java.util.zip} (which cannot write method
 * 93) or Commons Compress (whose raw-entry API still adds its own extra fields and decides ZIP64
 * from heuristics), because the bundle format must be byte-for-byte reproducible and the format we
 * need is small: a local header, the data, a central directory and an end record.
 *
 * <p>Data is either given whole ({@link #writeEntry}) or streamed ({@link #beginEntry}); a
 * streamed entry's CRC and sizes follow its data in a data descriptor (APPNOTE 4.3.9, general
 * purpose flag bit 3), so the zip is written strictly in order and its SHA-256 is computed on the
 * way out ({@link #sha256()}), with no second pass. Not thread-safe.
 */
final class ZipWriter {
    /**
     * Entries at least this large (uncompressed) get ZIP64 extra fields. Zstandard's worst-case
     * expansion keeps the compressed size of smaller entries below 4 GiB, so the decision can be
     * made before the data is written and depends only on the size (reproducible).
     */
    static final long ZIP64_ENTRY_THRESHOLD = 0xF000_0000L;

    private final WritableByteChannel channel;
    private final MessageDigest digest = dev.lode.core.Sha256.newDigest();
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Central> central = new ArrayList<>();
    private long position;
    private Streaming open;
    private boolean finished;

    private record Central(
            byte[] name, int method, int flags, int crc, long compressed, long size, long offset, boolean zip64Sizes) {}

    private static final class Streaming {
        final byte[] name;
        final int method;
        final long size;
        final long offset;
        final boolean zip64;
        final long dataStart;

        Streaming(byte[] name, int method, long size, long offset, boolean zip64, long dataStart) {
            this.name = name;
            this.method = method;
            this.size = size;
            this.offset = offset;
            this.zip64 = zip64;
            this.dataStart = dataStart;
        }
    }

    ZipWriter(WritableByteChannel channel) {
        this.channel = channel;
    }

    /** Bytes written so far (the offset of the next header). */
    long position() {
        return position + buf.position();
    }

    /** Writes an entry whose compressed bytes are known. */
    void writeEntry(String name, int method, long size, int crc, byte[] data, int off, int len) throws IOException {
        checkIdle();
        byte[] n = encodeName(name);
        boolean zip64 = size >= ZIP64_ENTRY_THRESHOLD || len >= ZIP64_ENTRY_THRESHOLD;
        long offset = position();
        writeLocalHeader(n, method, FLAG_UTF8, crc, len, size, zip64);
        put(data, off, len);
        central.add(new Central(n, method, FLAG_UTF8, crc, len, size, offset, zip64));
    }

    /**
     * Starts an entry whose compressed bytes are written to the returned stream; closing the
     * stream does not end the entry: call {@link #endEntry(int)}.
     */
    OutputStream beginEntry(String name, int method, long size) throws IOException {
        checkIdle();
        byte[] n = encodeName(name);
        boolean zip64 = size >= ZIP64_ENTRY_THRESHOLD;
        long offset = position();
        writeLocalHeader(n, method, FLAG_UTF8 | FLAG_DATA_DESCRIPTOR, 0, 0, 0, zip64);
        open = new Streaming(n, method, size, offset, zip64, position());
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (!buf.hasRemaining()) {
                    drain();
                }
                buf.put((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                put(b, off, len);
            }
        };
    }

    /**
     * Ends the streamed entry with its data descriptor: CRC-32, compressed and uncompressed size
     * (8-byte sizes for a ZIP64 entry). {@code size} must be what {@link #beginEntry} announced.
     */
    void endEntry(int crc, long size) throws IOException {
        if (open == null) {
            throw new IllegalStateException("no streamed entry is open");
        }
        Streaming s = open;
        open = null;
        if (size != s.size) {
            throw new IllegalStateException("entry " + name(s.name) + " announced " + s.size + " bytes, got " + size);
        }
        long compressed = position() - s.dataStart;
        if (!s.zip64 && compressed >= U32_MAX) {
            throw new IllegalStateException("entry compressed beyond 4 GiB without ZIP64: " + name(s.name));
        }
        ensure(24);
        buf.putInt(DATA_DESCRIPTOR_SIG);
        buf.putInt(crc);
        if (s.zip64) {
            buf.putLong(compressed);
            buf.putLong(size);
        } else {
            buf.putInt((int) compressed);
            buf.putInt((int) size);
        }
        central.add(new Central(
                s.name, s.method, FLAG_UTF8 | FLAG_DATA_DESCRIPTOR, crc, compressed, size, s.offset, s.zip64));
    }

    /** The SHA-256 of every byte written; valid after {@link #finish()}. */
    byte[] sha256() {
        if (!finished) {
            throw new IllegalStateException("zip not finished");
        }
        return digest.digest();
    }

    /** Writes the central directory and end records; returns the zip's total length. */
    long finish() throws IOException {
        checkIdle();
        finished = true;
        long cdStart = position();
        for (Central c : central) {
            boolean bigOffset = c.offset >= U32_MAX;
            boolean z = c.zip64Sizes || bigOffset;
            int extraLen = z ? 4 + (c.zip64Sizes ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
            ensure(CENTRAL_HEADER_SIZE + c.name.length + extraLen);
            buf.putInt(CENTRAL_HEADER_SIG);
            buf.putShort((short) ((HOST_UNIX << 8) | VERSION_ZSTD));
            buf.putShort((short) VERSION_ZSTD);
            buf.putShort((short) c.flags);
            buf.putShort((short) c.method);
            buf.putShort((short) DOS_TIME_ZERO);
            buf.putShort((short) DOS_DATE_1980);
            buf.putInt(c.crc);
            buf.putInt(c.zip64Sizes ? (int) U32_MAX : (int) c.compressed);
            buf.putInt(c.zip64Sizes ? (int) U32_MAX : (int) c.size);
            buf.putShort((short) c.name.length);
            buf.putShort((short) extraLen);
            buf.putShort((short) 0); // comment length
            buf.putShort((short) 0); // disk number start
            buf.putShort((short) 0); // internal attributes
            buf.putInt((S_IFREG | 0644) << 16); // external attributes: st_mode of a regular file
            buf.putInt(bigOffset ? (int) U32_MAX : (int) c.offset);
            buf.put(c.name);
            if (z) {
                buf.putShort((short) ZIP64_EXTRA_ID);
                buf.putShort((short) (extraLen - 4));
                if (c.zip64Sizes) {
                    buf.putLong(c.size);
                    buf.putLong(c.compressed);
                }
                if (bigOffset) {
                    buf.putLong(c.offset);
                }
            }
        }
        long cdEnd = position();
        long cdSize = cdEnd - cdStart;
        long count = central.size();
        boolean zip64 = count >= U16_MAX || cdStart >= U32_MAX || cdSize >= U32_MAX;
        if (zip64) {
            ensure(ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE);
            buf.putInt(ZIP64_EOCD_SIG);
            buf.putLong(ZIP64_EOCD_SIZE - 12); // size of the rest of this record
            buf.putShort((short) ((HOST_UNIX << 8) | VERSION_ZSTD));
            buf.putShort((short) VERSION_ZSTD);
            buf.putInt(0); // this disk
            buf.putInt(0); // disk with the central directory
            buf.putLong(count);
            buf.putLong(count);
            buf.putLong(cdSize);
            buf.putLong(cdStart);
            buf.putInt(ZIP64_LOCATOR_SIG);
            buf.putInt(0); // disk with the zip64 end record
            buf.putLong(cdEnd);
            buf.putInt(1); // total disks
        }
        ensure(EOCD_SIZE);
        buf.putInt(EOCD_SIG);
        buf.putShort((short) 0);
        buf.putShort((short) 0);
        buf.putShort((short) (zip64 ? U16_MAX : count));
        buf.putShort((short) (zip64 ? U16_MAX : count));
        buf.putInt(zip64 ? (int) U32_MAX : (int) cdSize);
        buf.putInt(zip64 ? (int) U32_MAX : (int) cdStart);
        buf.putShort((short) 0); // comment length
        drain();
        return position;
    }

    private void writeLocalHeader(
            byte[] name, int method, int flags, int crc, long compressed, long size, boolean zip64) throws IOException {
        int extraLen = zip64 ? 20 : 0;
        ensure(LOCAL_HEADER_SIZE + name.length + extraLen);
        buf.putInt(LOCAL_HEADER_SIG);
        buf.putShort((short) VERSION_ZSTD);
        buf.putShort((short) flags);
        buf.putShort((short) method);
        buf.putShort((short) DOS_TIME_ZERO);
        buf.putShort((short) DOS_DATE_1980);
        buf.putInt(crc);
        buf.putInt(zip64 ? (int) U32_MAX : (int) compressed);
        buf.putInt(zip64 ? (int) U32_MAX : (int) size);
        buf.putShort((short) name.length);
        buf.putShort((short) extraLen);
        buf.put(name);
        if (zip64) {
            buf.putShort((short) ZIP64_EXTRA_ID);
            buf.putShort((short) 16);
            buf.putLong(size);
            buf.putLong(compressed);
        }
    }

    private static byte[] encodeName(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > U16_MAX) {
            throw new IllegalArgumentException("zip entry name longer than 65535 bytes: " + name.substring(0, 80));
        }
        return n;
    }

    private static String name(byte[] n) {
        return new String(n, StandardCharsets.UTF_8);
    }

    private void checkIdle() {
        if (finished) {
            throw new IllegalStateException("zip already finished");
        }
        if (open != null) {
            throw new IllegalStateException("streamed entry still open: " + name(open.name));
        }
    }

    private void put(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void ensure(int bytes) throws IOException {
        if (buf.remaining() < bytes) {
            drain();
        }
    }

    private void drain() throws IOException {
        digest.update(buf.array(), 0, buf.position());
        buf.flip();
        while (buf.hasRemaining()) {
            position += channel.write(buf);
        }
        buf.clear();
    }
}
