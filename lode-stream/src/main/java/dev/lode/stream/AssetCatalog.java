package dev.lode.stream;

import dev.lode.core.FormatException;
import dev.lode.core.Manifest;
import dev.lode.core.ObjectId;
import dev.lode.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The asset catalog: every asset of a manifest with its type, size, compression, version, tags,
 * dependencies, LOD variants and bounds, queryable by id, path, tag, type and path prefix.
 *
 * <p>The catalog is a compact binary file (layout in {@code CatalogWriter}) written once from a
 * manifest with {@link #write} and opened with {@link #open}, which memory-maps it: opening costs a
 * header check whatever the entry count, and lookups read only the records they touch (binary
 * search by path or id, posting lists for tags and types). {@link #of} builds the same layout on
 * the heap. Instances are immutable and safe to share between threads.
 */
public final class AssetCatalog {
    private final ByteBuffer buf;
    private final String name;
    private final int count;
    private final int recordsOff;
    private final int idOrderOff;
    private final int stringCount;
    private final int stringOffsetsOff;
    private final int stringBytesOff;
    private final int listsOff;
    private final int listsLen;
    private final int tagOff;
    private final int typeOff;
    private final int hashOff;
    private final int hashSlots;

    private AssetCatalog(ByteBuffer buffer, String name) {
        this.buf = buffer.order(ByteOrder.LITTLE_ENDIAN);
        this.name = name;
        try {
            if (buf.capacity() < CatalogWriter.HEADER) {
                throw bad("shorter than its header");
            }
            byte[] magic = new byte[8];
            buf.get(0, magic);
            if (!Arrays.equals(magic, CatalogWriter.MAGIC)) {
                throw bad("not a lode catalog (bad magic)");
            }
            if (buf.getInt(8) != CatalogWriter.VERSION) {
                throw bad("unsupported catalog version " + buf.getInt(8));
            }
            if (buf.getLong(64) != buf.capacity()) {
                throw bad("truncated or padded: header says " + buf.getLong(64) + " bytes, file has " + buf.capacity());
            }
            count = buf.getInt(12);
            recordsOff = offset(16);
            idOrderOff = offset(24);
            int stringsOff = offset(32);
            listsOff = offset(40) + 4;
            tagOff = offset(48);
            typeOff = offset(56);
            hashOff = offset(72) + 4;
            hashSlots = buf.getInt(hashOff - 4);
            if (hashSlots < 2
                    || Integer.bitCount(hashSlots) != 1
                    || hashSlots < count
                    || hashOff + 4L * hashSlots != buf.capacity()) {
                throw bad("inconsistent path hash section");
            }
            if (count < 0
                    || recordsOff != CatalogWriter.HEADER
                    || idOrderOff != recordsOff + (long) count * CatalogWriter.RECORD) {
                throw bad("inconsistent record section");
            }
            stringCount = buf.getInt(stringsOff);
            stringOffsetsOff = stringsOff + 4;
            stringBytesOff = stringOffsetsOff + 4 * (stringCount + 1);
            listsLen = buf.getInt(listsOff - 4);
            if (stringCount < 0
                    || stringBytesOff > listsOff - 4
                    || listsLen < 0
                    || listsOff + 4L * listsLen != tagOff) {
                throw bad("inconsistent string or list section");
            }
            if (stringBytesOff + (long) buf.getInt(stringOffsetsOff + 4 * stringCount) != listsOff - 4) {
                throw bad("string section length mismatch");
            }
        } catch (IndexOutOfBoundsException e) {
            throw bad("header points outside the file");
        }
    }

    /** A heap catalog of {@code manifest}'s entries. */
    public static AssetCatalog of(Manifest manifest) {
        return new AssetCatalog(CatalogWriter.build(manifest), "in-memory catalog");
    }

    /** Writes the binary catalog of {@code manifest} to {@code file} atomically (temp + rename). */
    public static void write(Manifest manifest, Path file) {
        ByteBuffer bytes = CatalogWriter.build(manifest);
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".catalog-", ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    while (bytes.hasRemaining()) {
                        ch.write(bytes);
                    }
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write catalog " + file + ": " + e.getMessage(), e);
        }
    }

    /** Memory-maps the catalog file at {@code file}. */
    public static AssetCatalog open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new FormatException("catalog " + file + " is larger than 2 GiB");
            }
            return new AssetCatalog(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), file.toString());
        } catch (IOException e) {
            throw new StoreException("cannot open catalog " + file + ": " + e.getMessage(), e);
        }
    }

    /** Number of entries. */
    public int size() {
        return count;
    }

    /** The entry at {@code ordinal} (0 ≤ ordinal < size, path order). */
    public CatalogEntry get(int ordinal) {
        if (ordinal < 0 || ordinal >= count) {
            throw new IndexOutOfBoundsException("no catalog entry " + ordinal + " in " + name + " of " + count);
        }
        return read(ordinal);
    }

    /** The entry at {@code path}. */
    public Optional<CatalogEntry> byPath(String path) {
        int ord = ordinalOf(path);
        return ord < 0 ? Optional.empty() : Optional.of(read(ord));
    }

    /** The ordinal of {@code path}, or -1. One hash probe sequence, usually one string compare. */
    public int ordinalOf(String path) {
        byte[] key = path.getBytes(StandardCharsets.UTF_8);
        int mask = hashSlots - 1;
        int h = CatalogWriter.hash(key, 0, key.length) & mask;
        for (int probes = 0; probes < hashSlots; probes++) {
            int v = buf.getInt(hashOff + 4 * h);
            if (v == 0) {
                return -1;
            }
            int ord = checked(v - 1);
            if (equalsString(buf.getInt(record(ord) + 48), key)) {
                return ord;
            }
            h = (h + 1) & mask;
        }
        return -1;
    }

    /** The first entry (in path order among equals) whose stored object is {@code id}. */
    public Optional<CatalogEntry> byId(ObjectId id) {
        byte[] key = id.toBytes();
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareId(checked(buf.getInt(idOrderOff + 4 * mid)), key);
            if (c < 0) {
                lo = mid + 1;
            } else {
                if (c == 0) {
                    found = mid;
                }
                hi = mid - 1;
            }
        }
        return found < 0 ? Optional.empty() : Optional.of(read(checked(buf.getInt(idOrderOff + 4 * found))));
    }

    /** Entries tagged {@code tag}, in path order. */
    public List<CatalogEntry> withTag(String tag) {
        return posting(tagOff, tag);
    }

    /** Entries of media type {@code type} (exact match), in path order. */
    public List<CatalogEntry> ofType(String type) {
        return posting(typeOff, type);
    }

    /** Entries whose path starts with {@code prefix}, in path order. */
    public List<CatalogEntry> underPrefix(String prefix) {
        byte[] key = prefix.getBytes(StandardCharsets.UTF_8);
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (compareString(buf.getInt(record(mid) + 48), key) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        List<CatalogEntry> out = new ArrayList<>();
        for (int ord = lo; ord < count && startsWith(buf.getInt(record(ord) + 48), key); ord++) {
            out.add(read(ord));
        }
        return out;
    }

    /** All distinct tags, sorted. */
    public List<String> tags() {
        return keys(tagOff);
    }

    /** All distinct media types, sorted. */
    public List<String> types() {
        return keys(typeOff);
    }

    @Override
    public String toString() {
        return "AssetCatalog[" + name + ", " + count + " entries]";
    }

    private List<String> keys(int indexOff) {
        int n = buf.getInt(indexOff);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(string(buf.getInt(indexOff + 4 + 8 * i)));
        }
        return out;
    }

    private List<CatalogEntry> posting(int indexOff, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int lo = 0;
        int hi = buf.getInt(indexOff) - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = compareString(buf.getInt(indexOff + 4 + 8 * mid), k);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                int[] ords = list(buf.getInt(indexOff + 8 + 8 * mid));
                List<CatalogEntry> out = new ArrayList<>(ords.length);
                for (int ord : ords) {
                    out.add(read(checked(ord)));
                }
                return out;
            }
        }
        return List.of();
    }

    private CatalogEntry read(int ord) {
        int r = record(ord);
        try {
            byte[] id = new byte[32];
            buf.get(r, id);
            int compression = buf.get(r + 60);
            if (compression < 0 || compression >= Compression.values().length) {
                throw bad("entry " + ord + " has unknown compression " + compression);
            }
            Bounds bounds = (buf.getInt(r + 92) & 1) == 0
                    ? null
                    : new Bounds(
                            buf.getFloat(r + 76), buf.getFloat(r + 80), buf.getFloat(r + 84), buf.getFloat(r + 88));
            return new CatalogEntry(
                    ord,
                    ObjectId.ofDigest(id),
                    string(buf.getInt(r + 48)),
                    string(buf.getInt(r + 52)),
                    buf.getLong(r + 32),
                    buf.getLong(r + 40),
                    Compression.values()[compression],
                    string(buf.getInt(r + 56)),
                    strings(buf.getInt(r + 64)),
                    strings(buf.getInt(r + 68)),
                    strings(buf.getInt(r + 72)),
                    bounds,
                    buf.getLong(r + 96));
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw bad("entry " + ord + " is corrupt: " + e.getMessage());
        }
    }

    private int checked(int ord) {
        if (ord < 0 || ord >= count) {
            throw bad("index points at entry " + ord + " of " + count);
        }
        return ord;
    }

    private int record(int ord) {
        return recordsOff + ord * CatalogWriter.RECORD;
    }

    private List<String> strings(int listRef) {
        int[] refs = list(listRef);
        List<String> out = new ArrayList<>(refs.length);
        for (int ref : refs) {
            out.add(string(ref));
        }
        return out;
    }

    private int[] list(int ref) {
        if (ref < 0 || ref >= listsLen) {
            throw bad("list reference " + ref + " out of range");
        }
        int len = buf.getInt(listsOff + 4 * ref);
        if (len < 0 || ref + 1L + len > listsLen) {
            throw bad("list at " + ref + " overruns the list section");
        }
        int[] out = new int[len];
        for (int i = 0; i < len; i++) {
            out[i] = buf.getInt(listsOff + 4 * (ref + 1 + i));
        }
        return out;
    }

    private String string(int ref) {
        int start = stringStart(ref);
        byte[] b = new byte[stringLength(ref, start)];
        buf.get(stringBytesOff + start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private int stringStart(int ref) {
        if (ref < 0 || ref > stringCount) {
            throw bad("string reference " + ref + " out of range");
        }
        int s = buf.getInt(stringOffsetsOff + 4 * ref);
        if (s < 0 || stringBytesOff + (long) s > listsOff - 4) {
            throw bad("string " + ref + " points outside the string section");
        }
        return s;
    }

    private int stringLength(int ref, int start) {
        int len = stringStart(ref + 1) - start;
        if (len < 0) {
            throw bad("string " + ref + " has negative length");
        }
        return len;
    }

    private boolean equalsString(int ref, byte[] key) {
        int start = stringStart(ref);
        if (stringLength(ref, start) != key.length) {
            return false;
        }
        byte[] b = new byte[key.length];
        buf.get(stringBytesOff + start, b);
        return Arrays.equals(b, key);
    }

    private int compareString(int ref, byte[] key) {
        int start = stringStart(ref);
        int len = stringLength(ref, start);
        int base = stringBytesOff + start;
        int n = Math.min(len, key.length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compare(buf.get(base + i) & 0xff, key[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(len, key.length);
    }

    private boolean startsWith(int ref, byte[] prefix) {
        int start = stringStart(ref);
        int len = stringLength(ref, start);
        if (len < prefix.length) {
            return false;
        }
        int base = stringBytesOff + start;
        for (int i = 0; i < prefix.length; i++) {
            if (buf.get(base + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private int compareId(int ord, byte[] key) {
        int r = record(ord);
        for (int i = 0; i < 32; i++) {
            int c = Integer.compare(buf.get(r + i) & 0xff, key[i] & 0xff);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private int offset(int at) {
        long v = buf.getLong(at);
        if (v < CatalogWriter.HEADER || v > buf.capacity() - 4L) {
            throw bad("section offset " + v + " outside the file");
        }
        return (int) v;
    }

    private FormatException bad(String what) {
        return new FormatException("catalog " + name + ": " + what);
    }
}
