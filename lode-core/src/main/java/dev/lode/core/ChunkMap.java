package dev.lode.core;

import java.io.ByteArrayOutputStream;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;

/**
 * The FastCDC chunks of one object, in order, covering it exactly.
 *
 * <p>Kept compact (one {@code int} and 32 hash bytes a chunk), because a 10 GB object has about
 * 160,000 chunks. The binary form written by {@link #encode()} is:
 *
 * <pre>
 *   magic   4 bytes  'L' 'C' 'M' 0x01
 *   size    varint   object size in bytes
 *   count   varint   number of chunks
 *   count × { length varint, sha256 32 bytes }
 * </pre>
 *
 * Offsets are implied by the lengths. Varints are unsigned LEB128. {@link #decode(byte[])} checks
 * every field and that the lengths add up to the size.
 */
public final class ChunkMap {
    private static final byte[] MAGIC = {'L', 'C', 'M', 1};

    private final long size;
    private final int[] lengths;
    private final long[] offsets;
    private final byte[] hashes;

    private ChunkMap(long size, int[] lengths, byte[] hashes) {
        this.size = size;
        this.lengths = lengths;
        this.hashes = hashes;
        this.offsets = new long[lengths.length];
        long off = 0;
        for (int i = 0; i < lengths.length; i++) {
            offsets[i] = off;
            off += lengths[i];
        }
        if (off != size) {
            throw new FormatException("chunk map lengths add up to " + off + " bytes, but the object has " + size);
        }
    }

    /** Builds a map from chunk lengths and their concatenated 32-byte hashes. */
    static ChunkMap of(long size, int[] lengths, byte[] hashes) {
        if (hashes.length != lengths.length * ObjectId.BYTE_LENGTH) {
            throw new IllegalArgumentException("need 32 hash bytes per chunk");
        }
        return new ChunkMap(size, lengths, hashes);
    }

    /** Builds a map from chunk references that must tile the object from offset 0. */
    public static ChunkMap of(List<ChunkRef> chunks) {
        int[] lengths = new int[chunks.size()];
        byte[] hashes = new byte[chunks.size() * ObjectId.BYTE_LENGTH];
        long off = 0;
        for (int i = 0; i < chunks.size(); i++) {
            ChunkRef c = chunks.get(i);
            if (c.offset() != off) {
                throw new IllegalArgumentException("chunk " + i + " starts at " + c.offset() + ", expected " + off);
            }
            lengths[i] = c.length();
            System.arraycopy(c.hash().toBytes(), 0, hashes, i * ObjectId.BYTE_LENGTH, ObjectId.BYTE_LENGTH);
            off += c.length();
        }
        return new ChunkMap(off, lengths, hashes);
    }

    /** Size of the object in bytes. */
    public long size() {
        return size;
    }

    /** Number of chunks. */
    public int chunkCount() {
        return lengths.length;
    }

    /** Chunk {@code i}. */
    public ChunkRef chunk(int i) {
        byte[] h = Arrays.copyOfRange(hashes, i * ObjectId.BYTE_LENGTH, (i + 1) * ObjectId.BYTE_LENGTH);
        return new ChunkRef(offsets[i], lengths[i], ObjectId.ofDigest(h));
    }

    /** All chunks, as a read-only view. */
    public List<ChunkRef> chunks() {
        return new AbstractList<>() {
            @Override
            public ChunkRef get(int index) {
                return chunk(index);
            }

            @Override
            public int size() {
                return lengths.length;
            }
        };
    }

    /** Index of the chunk holding byte {@code offset}. */
    public int chunkIndexAt(long offset) {
        if (offset < 0 || offset >= size) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside object of " + size + " bytes");
        }
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 2;
    }

    /** The binary form described in the class comment. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + lengths.length * 36);
        out.writeBytes(MAGIC);
        Varint.write(out, size);
        Varint.write(out, lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            Varint.write(out, lengths[i]);
            out.write(hashes, i * ObjectId.BYTE_LENGTH, ObjectId.BYTE_LENGTH);
        }
        return out.toByteArray();
    }

    /** Parses the binary form, rejecting anything malformed with a {@link FormatException}. */
    public static ChunkMap decode(byte[] data) {
        if (data.length < MAGIC.length || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new FormatException("not a lode chunk map: bad magic");
        }
        Varint.Reader r = new Varint.Reader(data, MAGIC.length, "chunk map");
        long size = r.readLong();
        long count = r.readLong();
        // Each chunk takes at least 33 bytes, which bounds count before we allocate for it.
        if (count > (data.length - r.position()) / 33L) {
            throw new FormatException("chunk map claims " + count + " chunks but has only "
                    + (data.length - r.position()) + " bytes left");
        }
        int n = (int) count;
        int[] lengths = new int[n];
        byte[] hashes = new byte[n * ObjectId.BYTE_LENGTH];
        for (int i = 0; i < n; i++) {
            long len = r.readLong();
            if (len <= 0 || len > ChunkerConfig.MAX_MAX) {
                throw new FormatException("chunk map entry " + i + " has bad length " + len);
            }
            lengths[i] = (int) len;
            r.readBytes(hashes, i * ObjectId.BYTE_LENGTH, ObjectId.BYTE_LENGTH);
        }
        if (r.position() != data.length) {
            throw new FormatException("chunk map has " + (data.length - r.position()) + " trailing bytes");
        }
        return new ChunkMap(size, lengths, hashes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkMap m
                && m.size == size
                && Arrays.equals(m.lengths, lengths)
                && Arrays.equals(m.hashes, hashes);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(size) * 31 + Arrays.hashCode(hashes);
    }

    @Override
    public String toString() {
        return "ChunkMap[size=" + size + ", chunks=" + lengths.length + "]";
    }
}
