package dev.lode.bundle;

import static dev.lode.bundle.ZipFormat.*;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.lode.core.FormatException;
import dev.lode.core.SafePaths;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * Reads an untrusted zip and refuses anything unsafe before a byte is extracted.
 *
 * <p>{@link #entries()} comes from the central directory, fully checked when the reader opens:
 * end records (ZIP64 too) consistent with the file, every name a clean relative path
 * ({@link SafePaths}), no symlinks or special files, no duplicates or file/folder clashes, no
 * encryption, only methods 0, 8 and 93, each local header agreeing with the central directory,
 * and no two entries' data overlapping. {@link #copy} then decompresses one entry, never
 * producing more than its declared size and checking its size and CRC-32 at the end.
 *
 * <p>Every problem with the bytes is a {@link FormatException} naming the zip and the entry;
 * I/O failures of the channel are {@link UncheckedIOException}. Not thread-safe.
 */
final class ZipReader {
    /** Largest central directory read into memory. */
    static final int MAX_CENTRAL_DIRECTORY = 256 << 20;

    private final SeekableByteChannel channel;
    private final String zipName;
    private final long length;
    private final List<ZipEntryInfo> entries;

    ZipReader(SeekableByteChannel channel, String zipName, long maxEntries) {
        this.channel = channel;
        this.zipName = zipName;
        try {
            this.length = channel.size();
            this.entries = List.copyOf(readCentralDirectory(maxEntries));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read zip " + zipName + ": " + e.getMessage(), e);
        }
    }

    /** The checked entries, in central-directory order. */
    List<ZipEntryInfo> entries() {
        return entries;
    }

    /**
     * Decompresses {@code entry} into {@code out}, checking that it yields exactly its declared
     * size and CRC-32; returns the SHA-256 of the bytes written.
     */
    byte[] copy(ZipEntryInfo entry, OutputStream out) {
        MessageDigest sha = dev.lode.core.Sha256.newDigest();
        CRC32 crc = new CRC32();
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = open(entry)) {
            while (true) {
                int n;
                try {
                    // At most one byte past the declared size: enough to know it lies.
                    n = in.read(buf, 0, (int) Math.min(buf.length, entry.size() - total + 1));
                } catch (ZipException | EOFException | com.github.luben.zstd.ZstdIOException e) {
                    throw bad(entry, "corrupt compressed data (" + e.getMessage() + ")");
                } catch (com.github.luben.zstd.ZstdException e) {
                    throw bad(entry, "corrupt compressed data (" + e.getMessage() + ")");
                }
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > entry.size()) {
                    throw bad(entry, "decompresses to more than its declared size " + entry.size());
                }
                crc.update(buf, 0, n);
                sha.update(buf, 0, n);
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException(
                            "cannot write entry " + entry.name() + " of " + zipName + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read zip " + zipName + ": " + e.getMessage(), e);
        }
        if (total != entry.size()) {
            throw bad(entry, "decompresses to " + total + " bytes but its header says " + entry.size());
        }
        if ((int) crc.getValue() != entry.crc()) {
            throw bad(
                    entry,
                    String.format(
                            "CRC-32 mismatch: header says %08x, data gives %08x", entry.crc(), (int) crc.getValue()));
        }
        return sha.digest();
    }

    private InputStream open(ZipEntryInfo e) throws IOException {
        InputStream raw = new RegionInputStream(e.dataOffset(), e.compressedSize());
        return switch (e.method()) {
            case METHOD_STORED -> raw;
            case METHOD_DEFLATE ->
                new InflaterInputStream(raw, new Inflater(true), 64 * 1024) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        inf.end();
                    }
                };
            case METHOD_ZSTD -> new ZstdInputStreamNoFinalizer(raw);
            default -> throw bad(e, "unsupported compression method " + e.method());
        };
    }

    private List<ZipEntryInfo> readCentralDirectory(long maxEntries) throws IOException {
        if (length < EOCD_SIZE) {
            throw bad("too short to be a zip (" + length + " bytes)");
        }
        // The end record is the last 22 bytes plus a comment of up to 64 KiB.
        int tailLen = (int) Math.min(length, EOCD_SIZE + MAX_COMMENT);
        long tailStart = length - tailLen;
        ByteBuffer tail = read(tailStart, tailLen);
        long eocd = -1;
        for (int i = tailLen - EOCD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == EOCD_SIG && (tail.getShort(i + 20) & 0xFFFF) == tailLen - EOCD_SIZE - i) {
                eocd = tailStart + i;
                break;
            }
        }
        if (eocd < 0) {
            throw bad("no end of central directory record (not a zip, or truncated)");
        }
        int e = (int) (eocd - tailStart);
        int disk = u16(tail, e + 4);
        int cdDisk = u16(tail, e + 6);
        long countOnDisk = u16(tail, e + 8);
        long count = u16(tail, e + 10);
        long cdSize = u32(tail, e + 12);
        long cdOffset = u32(tail, e + 16);
        long cdLimit = eocd;
        boolean hasLocator =
                eocd >= ZIP64_LOCATOR_SIZE && read(eocd - ZIP64_LOCATOR_SIZE, 4).getInt(0) == ZIP64_LOCATOR_SIG;
        if (hasLocator) {
            ByteBuffer loc = read(eocd - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
            long z64 = loc.getLong(8);
            if (z64 < 0 || z64 > eocd - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE) {
                throw bad("ZIP64 locator points outside the file (" + z64 + ")");
            }
            ByteBuffer r = read(z64, ZIP64_EOCD_SIZE);
            if (r.getInt(0) != ZIP64_EOCD_SIG) {
                throw bad("ZIP64 end record missing at offset " + z64);
            }
            disk = r.getInt(16);
            cdDisk = r.getInt(20);
            countOnDisk = r.getLong(24);
            count = r.getLong(32);
            cdSize = r.getLong(40);
            cdOffset = r.getLong(48);
            cdLimit = z64;
        } else if (count == U16_MAX || cdSize == U32_MAX || cdOffset == U32_MAX) {
            throw bad("end record needs ZIP64 but there is no ZIP64 locator");
        }
        if (disk != 0 || cdDisk != 0 || countOnDisk != count) {
            throw bad("multi-disk zips are not supported");
        }
        if (count < 0 || count > maxEntries) {
            throw bad("has " + count + " entries, more than the limit " + maxEntries);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > cdLimit || cdSize != cdLimit - cdOffset) {
            throw bad("central directory (offset " + cdOffset + ", size " + cdSize
                    + ") does not end where the end record starts (" + cdLimit + ")");
        }
        if (cdSize > MAX_CENTRAL_DIRECTORY) {
            throw bad("central directory of " + cdSize + " bytes is larger than " + MAX_CENTRAL_DIRECTORY);
        }
        if (count * CENTRAL_HEADER_SIZE > cdSize) {
            throw bad("central directory too small for " + count + " entries");
        }
        ByteBuffer cd = read(cdOffset, (int) cdSize);
        List<ZipEntryInfo> list = new ArrayList<>((int) count);
        List<long[]> spans = new ArrayList<>((int) count);
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (cdSize - p < CENTRAL_HEADER_SIZE || cd.getInt(p) != CENTRAL_HEADER_SIG) {
                throw bad("central directory entry " + i + " is malformed at offset " + (cdOffset + p));
            }
            int madeBy = u16(cd, p + 4);
            int flags = u16(cd, p + 8);
            int method = u16(cd, p + 10);
            int crc = cd.getInt(p + 16);
            long csize = u32(cd, p + 20);
            long size = u32(cd, p + 24);
            int nameLen = u16(cd, p + 28);
            int extraLen = u16(cd, p + 30);
            int commentLen = u16(cd, p + 32);
            int diskStart = u16(cd, p + 34);
            long external = u32(cd, p + 38);
            long offset = u32(cd, p + 42);
            int varStart = p + CENTRAL_HEADER_SIZE;
            if ((long) varStart + nameLen + extraLen + commentLen > cdSize) {
                throw bad("central directory entry " + i + " runs past the central directory");
            }
            byte[] rawName = new byte[nameLen];
            cd.get(varStart, rawName);
            String name = decodeName(rawName, i);
            // ZIP64 extra: the 8-byte values of exactly the fields that are 0xFFFFFFFF, in order.
            boolean needSize = size == U32_MAX;
            boolean needCsize = csize == U32_MAX;
            boolean needOffset = offset == U32_MAX;
            if (needSize || needCsize || needOffset || diskStart == U16_MAX) {
                ByteBuffer z = findZip64Extra(cd, varStart + nameLen, extraLen, name);
                int want = (needSize ? 8 : 0) + (needCsize ? 8 : 0) + (needOffset ? 8 : 0);
                if (z == null || z.remaining() < want) {
                    throw bad(name, "needs a ZIP64 extra field with " + want + " bytes");
                }
                if (needSize) {
                    size = z.getLong();
                }
                if (needCsize) {
                    csize = z.getLong();
                }
                if (needOffset) {
                    offset = z.getLong();
                }
            }
            p = varStart + nameLen + extraLen + commentLen;

            if ((flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) != 0) {
                throw bad(name, "is encrypted");
            }
            if (method != METHOD_STORED && method != METHOD_DEFLATE && method != METHOD_ZSTD) {
                throw bad(name, "uses unsupported compression method " + method + " (supported: 0, 8, 93)");
            }
            if (size < 0 || csize < 0 || offset < 0) {
                throw bad(name, "has a size or offset beyond 2^63");
            }
            int mode = (madeBy >> 8) == HOST_UNIX ? (int) (external >>> 16) : 0;
            int type = mode & S_IFMT;
            if (type == S_IFLNK) {
                throw bad(name, "is a symbolic link");
            }
            boolean directory = name.endsWith("/") || type == S_IFDIR || (external & 0x10) != 0;
            if (type != 0 && type != S_IFREG && type != S_IFDIR) {
                throw bad(name, "is a special file (mode " + Integer.toOctalString(mode) + ")");
            }
            String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            try {
                SafePaths.checkRelative(path);
            } catch (SafePaths.UnsafePathException ex) {
                throw bad(name, "has an unsafe path: " + ex.getMessage());
            }
            if (!names.add(path)) {
                throw bad(name, "appears twice");
            }
            if (directory && size != 0) {
                throw bad(name, "is a folder with " + size + " bytes of data");
            }
            if (!directory) {
                files.add(path);
            }
            if (method == METHOD_STORED && csize != size) {
                throw bad(name, "is stored but its compressed size " + csize + " differs from its size " + size);
            }
            long dataOffset = checkLocalHeader(name, rawName, flags, method, crc, csize, size, offset, cdOffset);
            spans.add(new long[] {offset, dataOffset + csize});
            list.add(new ZipEntryInfo(path, directory, method, crc, csize, size, dataOffset));
        }
        if (p != cdSize) {
            throw bad("central directory has " + (cdSize - p) + " unexplained bytes after " + count + " entries");
        }
        for (String f : files) {
            for (int s = f.indexOf('/'); s >= 0; s = f.indexOf('/', s + 1)) {
                if (files.contains(f.substring(0, s))) {
                    throw bad(f, "is inside '" + f.substring(0, s) + "', which is a file");
                }
            }
        }
        spans.sort(Comparator.comparingLong(s -> s[0]));
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i)[0] < spans.get(i - 1)[1]) {
                throw bad("entries overlap at offset " + spans.get(i)[0]);
            }
        }
        return list;
    }

    private long checkLocalHeader(
            String name,
            byte[] rawName,
            int flags,
            int method,
            int crc,
            long csize,
            long size,
            long offset,
            long cdOffset)
            throws IOException {
        if (offset > cdOffset - LOCAL_HEADER_SIZE) {
            throw bad(name, "has its local header outside the data area (offset " + offset + ")");
        }
        ByteBuffer h = read(offset, LOCAL_HEADER_SIZE);
        if (h.getInt(0) != LOCAL_HEADER_SIG) {
            throw bad(name, "has no local header at offset " + offset);
        }
        int lflags = u16(h, 6);
        int lmethod = u16(h, 8);
        int lcrc = h.getInt(14);
        long lcsize = u32(h, 18);
        long lsize = u32(h, 22);
        int nameLen = u16(h, 26);
        int extraLen = u16(h, 28);
        long dataOffset = offset + LOCAL_HEADER_SIZE + nameLen + extraLen;
        if (dataOffset > cdOffset || csize > cdOffset - dataOffset) {
            throw bad(name, "has data running past the start of the central directory");
        }
        ByteBuffer var = read(offset + LOCAL_HEADER_SIZE, nameLen + extraLen);
        byte[] lname = new byte[nameLen];
        var.get(0, lname);
        if (!java.util.Arrays.equals(lname, rawName)) {
            throw bad(name, "has a different name in its local header");
        }
        if (lmethod != method || ((lflags ^ flags) & (FLAG_ENCRYPTED | FLAG_DATA_DESCRIPTOR)) != 0) {
            throw bad(name, "has a local header that disagrees with the central directory (method or flags)");
        }
        if ((flags & FLAG_DATA_DESCRIPTOR) == 0) {
            if (lsize == U32_MAX || lcsize == U32_MAX) {
                ByteBuffer z = findZip64Extra(var, nameLen, extraLen, name);
                if (z == null) {
                    throw bad(name, "local header needs a ZIP64 extra field");
                }
                if (lsize == U32_MAX) {
                    lsize = z.remaining() >= 8 ? z.getLong() : -1;
                }
                if (lcsize == U32_MAX) {
                    lcsize = z.remaining() >= 8 ? z.getLong() : -1;
                }
            }
            if (lsize != size || lcsize != csize || lcrc != crc) {
                throw bad(
                        name,
                        "local header says size " + lsize + " (compressed " + lcsize + ") but the central"
                                + " directory says " + size + " (compressed " + csize + "), or CRCs differ");
            }
        }
        return dataOffset;
    }

    private ByteBuffer findZip64Extra(ByteBuffer b, int start, int len, String name) {
        int p = start;
        int end = start + len;
        while (p + 4 <= end) {
            int id = u16(b, p);
            int size = u16(b, p + 2);
            if (p + 4 + size > end) {
                throw bad(name, "has a malformed extra field");
            }
            if (id == ZIP64_EXTRA_ID) {
                return b.slice(p + 4, size).order(ByteOrder.LITTLE_ENDIAN);
            }
            p += 4 + size;
        }
        return null;
    }

    private String decodeName(byte[] raw, long index) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("entry " + index + " has a name that is not UTF-8");
        }
    }

    private ByteBuffer read(long position, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        if (position < 0 || position + len > length) {
            throw bad("truncated: needs bytes " + position + ".." + (position + len) + " of " + length);
        }
        channel.position(position);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw bad("truncated at offset " + (position + b.position()));
            }
        }
        return b.flip();
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & U32_MAX;
    }

    private FormatException bad(String what) {
        return new FormatException("zip " + zipName + ": " + what);
    }

    private FormatException bad(String entry, String what) {
        return new FormatException("zip " + zipName + ": entry '" + entry + "' " + what);
    }

    private FormatException bad(ZipEntryInfo e, String what) {
        return bad(e.name(), what);
    }

    /** The compressed bytes of one entry, read from the channel in 64 KiB steps. */
    private final class RegionInputStream extends InputStream {
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private long next;
        private long remaining;

        RegionInputStream(long start, long length) {
            this.next = start;
            this.remaining = length;
            buf.limit(0);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining()) {
                if (remaining == 0) {
                    return -1;
                }
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), remaining));
                channel.position(next);
                int n = channel.read(buf);
                if (n < 0) {
                    throw new EOFException("zip ends inside entry data at offset " + next);
                }
                next += n;
                remaining -= n;
                buf.flip();
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
