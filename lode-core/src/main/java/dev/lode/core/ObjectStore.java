package dev.lode.core;

import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Where objects live. Every implementation keeps these promises:
 *
 * <ul>
 *   <li>a put is atomic: a reader sees the whole object or nothing;
 *   <li>a put is idempotent: the same bytes are stored once, and a second put reports
 *       {@code created == false};
 *   <li>concurrent puts of the same bytes are safe;
 *   <li>every put computes the object's chunk map in the same pass as its id.
 * </ul>
 */
public interface ObjectStore extends AutoCloseable {
    /** Stores everything {@code in} yields (does not close it). */
    StoredObject put(InputStream in);

    /** Stores a file's content. */
    StoredObject putFile(Path file);

    /** Stores a byte array. */
    StoredObject putBytes(byte[] bytes);

    /** Stores {@code in} only if its content hashes to {@code expected}; otherwise stores nothing. */
    StoredObject putVerified(InputStream in, ObjectId expected);

    /** Whether the store holds {@code id}. */
    boolean contains(ObjectId id);

    /** The size of {@code id}, if held. */
    OptionalLong size(ObjectId id);

    /** A channel over the object's bytes, positioned at 0. */
    SeekableByteChannel open(ObjectId id);

    /** A stream over {@code range} of the object. */
    InputStream openRange(ObjectId id, ByteRange range);

    /** Reads a whole small object into memory, verifying its hash. */
    byte[] readAllBytes(ObjectId id);

    /** Re-reads the object and checks its hash; throws {@link CorruptObjectException} on mismatch. */
    void verify(ObjectId id);

    /** Removes the object; returns whether it was there. */
    boolean delete(ObjectId id);

    /** Calls {@code action} with every object id held, in no particular order. */
    void forEach(Consumer<ObjectId> action);

    /**
     * When {@code id} was last written (or, for a put of bytes already held, confirmed), if the
     * store knows. Garbage collection deletes an unreferenced object only when this is older than
     * its grace period, so an object with no known age is never collected. The default knows
     * nothing.
     */
    default Optional<Instant> lastModified(ObjectId id) {
        return Optional.empty();
    }

    /**
     * Deletes the object if {@link #lastModified} says it was written before {@code cutoff};
     * returns whether it did. Garbage collection deletes through this. The default checks, then
     * deletes; a store that can order it against a concurrent put of the same bytes (which renews
     * the time) does so, so that the put never reports an object held that is then gone.
     */
    default boolean deleteIfOlderThan(ObjectId id, Instant cutoff) {
        Optional<Instant> t = lastModified(id);
        return t.isPresent() && t.get().isBefore(cutoff) && delete(id);
    }

    /** Object count and total bytes. */
    StoreStats stats();

    /** Releases resources; the default does nothing. */
    @Override
    default void close() {}
}
