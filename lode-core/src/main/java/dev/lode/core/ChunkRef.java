package dev.lode.core;

/**
 * One content-defined chunk of an object.
 *
 * @param offset where the chunk starts in its object
 * @param length its size in bytes, at least one
 * @param hash the SHA-256 of the chunk's bytes
 */
public record ChunkRef(long offset, int length, ObjectId hash) {
    public ChunkRef {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad chunk " + offset + "+" + length);
        }
    }

    /** The bytes of the object this chunk covers. */
    public ByteRange range() {
        return new ByteRange(offset, length);
    }
}
