package dev.lode.stream;

import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.Sha256;
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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only file of many objects, so a game ships one file instead of thousands and reads each
 * asset with one positional read.
 *
 * <pre>
 * "LODEPAK1" int count, then count × (id[32], offset:long, length:long) sorted by id, then data
 * </pre>
 *
 * All integers little-endian. The index is read into memory on open (48 bytes per object); data
 * is read with {@link FileChannel#read(ByteBuffer, long)}, which is safe from many threads.
 */
public final class PackFile implements AutoCloseable {
    private static final byte[] MAGIC = "LODEPAK1".getBytes(StandardCharsets.US_ASCII);
    private static final int ENTRY = 48;

    private final Path file;
    private final FileChannel channel;
    private final byte[] ids;
    private final long[] offsets;
    private final long[] lengths;

    private PackFile(Path file, FileChannel channel, byte[] ids, long[] offsets, long[] lengths) {
        this.file = file;
        this.channel = channel;
        this.ids = ids;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    /**
     * Writes {@code objects} (stored bytes, e.g. already compressed) to {@code file} atomically and
     * returns their ids in the given order. Duplicates are stored once.
     */
    public static List<ObjectId> write(Path file, Collection<byte[]> objects) {
        Map<ObjectId, byte[]> unique = new LinkedHashMap<>();
        List<ObjectId> result = new ArrayList<>(objects.size());
        for (byte[] o : objects) {
            ObjectId id = Sha256.of(o);
            unique.putIfAbsent(id, o);
            result.add(id);
        }
        List<ObjectId> sorted = new ArrayList<>(unique.keySet());
        sorted.sort(null);
        long dataStart = 12L + (long) ENTRY * sorted.size();
        ByteBuffer index = ByteBuffer.allocate(Math.toIntExact(dataStart)).order(ByteOrder.LITTLE_ENDIAN);
        index.put(MAGIC).putInt(sorted.size());
        long off = dataStart;
        for (ObjectId id : sorted) {
            index.put(id.toBytes()).putLong(off).putLong(unique.get(id).length);
            off += unique.get(id).length;
        }
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".pack-", ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    writeFully(ch, index.flip());
                    for (ObjectId id : sorted) {
                        writeFully(ch, ByteBuffer.wrap(unique.get(id)));
                    }
                    ch.force(true);
                }
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write pack " + file + ": " + e.getMessage(), e);
        }
        return result;
    }

    /** Opens a pack and reads its index, checking every entry lies inside the file. */
    public static PackFile open(Path file) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, head, 0, file);
            byte[] magic = new byte[8];
            head.flip().get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new FormatException("not a lode pack (bad magic): " + file);
            }
            int n = head.getInt();
            if (n < 0 || 12L + (long) ENTRY * n > size) {
                throw new FormatException("pack " + file + " index of " + n + " entries overruns the file");
            }
            ByteBuffer idx = ByteBuffer.allocate(ENTRY * n).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, idx, 12, file);
            idx.flip();
            byte[] ids = new byte[32 * n];
            long[] offsets = new long[n];
            long[] lengths = new long[n];
            for (int i = 0; i < n; i++) {
                idx.get(ids, 32 * i, 32);
                offsets[i] = idx.getLong();
                lengths[i] = idx.getLong();
                if (offsets[i] < 12L + (long) ENTRY * n || lengths[i] < 0 || offsets[i] + lengths[i] > size) {
                    throw new FormatException("pack " + file + " entry " + i + " lies outside the file");
                }
                if (i > 0 && Arrays.compareUnsigned(ids, 32 * (i - 1), 32 * i, ids, 32 * i, 32 * i + 32) >= 0) {
                    throw new FormatException("pack " + file + " index is not sorted at entry " + i);
                }
            }
            PackFile pack = new PackFile(file, ch, ids, offsets, lengths);
            ch = null;
            return pack;
        } catch (IOException e) {
            throw new StoreException("cannot open pack " + file + ": " + e.getMessage(), e);
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    /** Number of objects. */
    public int size() {
        return offsets.length;
    }

    /** Whether the pack holds {@code id}. */
    public boolean contains(ObjectId id) {
        return find(id.toBytes()) >= 0;
    }

    /** The stored bytes of {@code id} (not verified; the pipeline verifies). */
    public byte[] read(ObjectId id) {
        int i = find(id.toBytes());
        if (i < 0) {
            throw new ObjectNotFoundException(id);
        }
        if (lengths[i] > Integer.MAX_VALUE - 8) {
            throw new StoreException(
                    "object " + id + " in pack " + file + " is too large to load: " + lengths[i], null);
        }
        ByteBuffer buf = ByteBuffer.allocate((int) lengths[i]);
        try {
            readFully(channel, buf, offsets[i], file);
        } catch (IOException e) {
            throw new StoreException("cannot read object " + id + " from pack " + file + ": " + e.getMessage(), e);
        }
        return buf.array();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new StoreException("cannot close pack " + file + ": " + e.getMessage(), e);
        }
    }

    private int find(byte[] key) {
        int lo = 0;
        int hi = offsets.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(ids, 32 * mid, 32 * mid + 32, key, 0, 32);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        long p = pos;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) {
                throw new FormatException("pack " + file + " ends early at byte " + p);
            }
            p += r;
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
