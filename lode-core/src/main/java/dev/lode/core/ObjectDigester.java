package dev.lode.core;

import java.security.MessageDigest;

/**
 * One pass over an object's bytes that yields both its id (SHA-256 of the whole) and its FastCDC
 * chunk map (see {@link Chunker}). Feed bytes with {@link #update} in any slicing; the result does
 * not depend on how the bytes were split. Not thread-safe.
 */
public final class ObjectDigester {
    private final MessageDigest whole = Sha256.newDigest();
    private final Chunker chunker;
    private boolean finished;

    public ObjectDigester(ChunkerConfig config) {
        this.chunker = new Chunker(config);
    }

    /** Bytes fed so far. */
    public long size() {
        return chunker.size();
    }

    /** Feeds {@code len} bytes of {@code b} from {@code off}. */
    public void update(byte[] b, int off, int len) {
        if (finished) {
            throw new IllegalStateException("digester already finished");
        }
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        whole.update(b, off, len);
        chunker.update(b, off, len);
    }

    /** Ends the object: returns its id and chunk map. The digester cannot be used afterwards. */
    public Result finish() {
        if (finished) {
            throw new IllegalStateException("digester already finished");
        }
        finished = true;
        ChunkMap map = chunker.finish();
        return new Result(ObjectId.ofDigest(whole.digest()), map.size(), map);
    }

    /**
     * What one pass over an object yields.
     *
     * @param id the SHA-256 of the whole object
     * @param size its size in bytes
     * @param chunkMap its chunks
     */
    public record Result(ObjectId id, long size, ChunkMap chunkMap) {}
}
