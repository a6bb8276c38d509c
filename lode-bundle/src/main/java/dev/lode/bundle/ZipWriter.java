package dev.lode.bundle;

import static dev.lode.bundle.ZipFormat.*;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
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
 * streamed entry's CRC and compressed size are patched into its local header afterwards, which
 * is why the writer works on a {@link FileChannel}. Not thread-safe.
 */
final class ZipWriter {
    /**
     * Entries at least this large (uncompressed) get ZIP64 extra fields. Zstandard's worst-case
     * expansion keeps the compressed size of smaller entries below 4 GiB, so the decision can be
     * made before the data is written and depends only on the size (reproducible).
     */
    static final long ZIP64_ENTRY_THRESHOLD = 0xF000_0000L;

    private final FileChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final List<Central> central = new ArrayList<>();
    private long position;
    private Streaming open;
    private boolean finished;

    private record Central(
            byte[] name, int method, int crc, long compressed, long size, long offset, boolean zip64Sizes) {}

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

    ZipWriter(FileChannel channel) throws IOException {
        this.channel = channel;
        this.position = channel.position();
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
        writeLocalHeader(n, method, crc, len, size, zip64);
        put(data, off, len);
        central.add(new Central(n, method, crc, len, size, offset, zip64));
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
        writeLocalHeader(n, method, 0, 0, size, zip64);
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

    /** Ends the streamed entry: patches CRC and compressed size into its local header. */
    void endEntry(int crc) throws IOException {
        if (open == null) {
            throw new IllegalStateException("no streamed entry is open");
        }
        Streaming s = open;
        open = null;
        long compressed = position() - s.dataStart;
        if (!s.zip64 && compressed >= U32_MAX) {
            throw new IllegalStateException("entry compressed beyond 4 GiB without ZIP64: " + name(s.name));
        }
        drain();
        ByteBuffer patch = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        patch.putInt(crc);
        patch.putInt(s.zip64 ? (int) U32_MAX : (int) compressed);
        patch.putInt(s.zip64 ? (int) U32_MAX : (int) s.size);
        patch.flip();
        writeFully(patch, s.offset + 14);
        if (s.zip64) {
            ByteBuffer p64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            p64.putLong(compressed).flip();
            // zip64 extra: header id(2) size(2) original(8) compressed(8)
            writeFully(p64, s.offset + LOCAL_HEADER_SIZE + s.name.length + 4 + 8);
        }
        central.add(new Central(s.name, s.method, crc, compressed, s.size, s.offset, s.zip64));
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
            buf.putShort((short) FLAG_UTF8);
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

    private void writeLocalHeader(byte[] name, int method, int crc, long compressed, long size, boolean zip64)
            throws IOException {
        int extraLen = zip64 ? 20 : 0;
        ensure(LOCAL_HEADER_SIZE + name.length + extraLen);
        buf.putInt(LOCAL_HEADER_SIG);
        buf.putShort((short) VERSION_ZSTD);
        buf.putShort((short) FLAG_UTF8);
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
        buf.flip();
        while (buf.hasRemaining()) {
            position += channel.write(buf, position);
        }
        buf.clear();
    }

    private void writeFully(ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }
}
