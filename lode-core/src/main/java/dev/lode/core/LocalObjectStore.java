package dev.lode.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * An {@link ObjectStore} in a local folder.
 *
 * <p>Layout: {@code ROOT/objects/ab/cd/abcd…} (two levels of 256 shards by the id's first four hex
 * digits), and {@code ROOT/tmp/} for puts in progress, on the same file system so the final rename
 * is atomic. A put streams into a temporary file while hashing and chunking, forces it to disk,
 * then renames it into place and forces the shard folder; a reader therefore never sees half an
 * object, and a crash leaves at most a stray temporary file (removed on a later open once it is a
 * day old). Objects are stored raw, so any byte range can be sent with {@code sendfile} through
 * {@link #openFileChannel(ObjectId)}.
 *
 * <p>Concurrent puts of the same bytes each write their own temporary file; the renames replace
 * one identical file with another, so readers are unaffected. Thread-safe.
 */
public final class LocalObjectStore implements ObjectStore {
    private static final Duration STALE_TEMP_AGE = Duration.ofDays(1);
    private static final int COPY_BUFFER = 1 << 20;

    private final Path root;
    private final Path objects;
    private final Path tmp;
    private final ChunkerConfig chunker;
    private final boolean durable;

    private final ReentrantLock statsLock = new ReentrantLock();
    /**
     * Orders a put that finds its object already held (and renews its time) against
     * {@link #deleteIfOlderThan} of the same object; striped by id so unrelated puts never wait.
     */
    private final ReentrantLock[] commitLocks = new ReentrantLock[64];

    private boolean counted;
    private long objectCount;
    private long byteCount;

    private LocalObjectStore(Builder b) {
        this.root = b.root.toAbsolutePath().normalize();
        this.objects = root.resolve("objects");
        this.tmp = root.resolve("tmp");
        this.chunker = b.chunker;
        this.durable = b.durable;
        for (int i = 0; i < commitLocks.length; i++) {
            commitLocks[i] = new ReentrantLock();
        }
        try {
            Files.createDirectories(objects);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw StoreException.io("create object store in", root, e);
        }
        removeStaleTemps();
    }

    /** Opens (creating if needed) the store in {@code root} with default settings. */
    public static LocalObjectStore open(Path root) {
        return builder(root).build();
    }

    /** A builder for a store in {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** The store's folder. */
    public Path root() {
        return root;
    }

    /** The chunk sizes this store chunks with. */
    public ChunkerConfig chunker() {
        return chunker;
    }

    /** Where {@code id} is (or would be) stored. */
    public Path pathOf(ObjectId id) {
        String h = id.hex();
        return objects.resolve(h.substring(0, 2)).resolve(h.substring(2, 4)).resolve(h);
    }

    @Override
    public StoredObject put(InputStream in) {
        return write(in, null, true);
    }

    @Override
    public StoredObject putVerified(InputStream in, ObjectId expected) {
        return write(in, Objects.requireNonNull(expected, "expected"), true);
    }

    @Override
    public StoredObject putBytes(byte[] bytes) {
        return write(new java.io.ByteArrayInputStream(bytes), null, true);
    }

    @Override
    public StoredObject putFile(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return write(in, null, true);
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw StoreException.io("read", file, e);
        }
    }

    private StoredObject write(InputStream in, ObjectId expected, boolean storeChunkMap) {
        Path temp;
        try {
            temp = Files.createTempFile(tmp, "put-", ".tmp");
        } catch (IOException e) {
            throw StoreException.io("create a temporary file in", tmp, e);
        }
        boolean moved = false;
        try {
            ObjectDigester digester = new ObjectDigester(chunker);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[COPY_BUFFER];
                ByteBuffer wrap = ByteBuffer.wrap(buf);
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    digester.update(buf, 0, n);
                    wrap.clear().limit(n);
                    while (wrap.hasRemaining()) {
                        out.write(wrap);
                    }
                    if (n < buf.length) {
                        break;
                    }
                }
                if (durable) {
                    out.force(true);
                }
            } catch (IOException e) {
                throw StoreException.io("write", temp, e);
            }
            ObjectDigester.Result r = digester.finish();
            if (expected != null && !expected.equals(r.id())) {
                throw new CorruptObjectException("upload for object " + expected, expected, r.id());
            }
            boolean created = commit(temp, r.id(), r.size());
            moved = true;
            ObjectId mapId = null;
            if (storeChunkMap && r.chunkMap().chunkCount() > 1) {
                mapId = write(new java.io.ByteArrayInputStream(r.chunkMap().encode()), null, false)
                        .id();
            }
            return new StoredObject(r.id(), r.size(), mapId, r.chunkMap(), created);
        } finally {
            if (!moved) {
                Quietly.delete(temp);
            }
        }
    }

    /** Renames a finished temporary file into place; returns false if the object was already held. */
    private boolean commit(Path temp, ObjectId id, long size) {
        Path target = pathOf(id);
        ReentrantLock lock = commitLock(id);
        lock.lock();
        try {
            if (Files.exists(target)) {
                Quietly.delete(temp);
                touch(target);
                return false;
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new StoreException("the file system under " + root + " cannot rename atomically", e);
            }
        } catch (FileAlreadyExistsException e) {
            Quietly.delete(temp);
            touch(target);
            return false;
        } catch (IOException e) {
            throw StoreException.io("store object " + id + " at", target, e);
        } finally {
            lock.unlock();
        }
        if (durable) {
            try {
                forceDirectory(target.getParent());
            } catch (IOException e) {
                throw StoreException.io("store object " + id + " at", target, e);
            }
        }
        statsLock.lock();
        try {
            if (counted) {
                objectCount++;
                byteCount += size;
            }
        } finally {
            statsLock.unlock();
        }
        return true;
    }

    private ReentrantLock commitLock(ObjectId id) {
        return commitLocks[Math.floorMod(id.hashCode(), commitLocks.length)];
    }

    /**
     * Renews the modification time of an object a put found already held: garbage collection
     * spares objects younger than its grace period, so bytes being uploaded again are safe from a
     * collection that runs before the upload is recorded in the catalog.
     */
    private static void touch(Path target) {
        try {
            Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
        } catch (IOException e) {
            // Deleted meanwhile, or a read-only store: the put's caller sees the object's state.
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse fsync on a directory; the rename itself is still atomic.
        }
    }

    @Override
    public boolean contains(ObjectId id) {
        return Files.isRegularFile(pathOf(id));
    }

    @Override
    public OptionalLong size(ObjectId id) {
        try {
            return OptionalLong.of(Files.size(pathOf(id)));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw StoreException.io("stat object " + id + " at", pathOf(id), e);
        }
    }

    @Override
    public SeekableByteChannel open(ObjectId id) {
        return openFileChannel(id);
    }

    /** A read-only file channel over the object, for zero-copy transfers. */
    public FileChannel openFileChannel(ObjectId id) {
        Path p = pathOf(id);
        try {
            return FileChannel.open(p, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(id);
        } catch (IOException e) {
            throw StoreException.io("open object " + id + " at", p, e);
        }
    }

    @Override
    public InputStream openRange(ObjectId id, ByteRange range) {
        FileChannel ch = openFileChannel(id);
        try {
            long size = ch.size();
            if (!range.fitsIn(size)) {
                ch.close();
                throw new IllegalArgumentException("range " + range.offset() + "+" + range.length() + " outside object "
                        + id + " of " + size + " bytes");
            }
            ch.position(range.offset());
        } catch (IOException e) {
            Quietly.close(ch);
            throw StoreException.io("read object " + id + " at", pathOf(id), e);
        }
        return new BoundedInputStream(Channels.newInputStream(ch), range.length());
    }

    @Override
    public byte[] readAllBytes(ObjectId id) {
        byte[] data;
        try {
            data = Files.readAllBytes(pathOf(id));
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(id);
        } catch (IOException e) {
            throw StoreException.io("read object " + id + " at", pathOf(id), e);
        }
        ObjectId actual = Sha256.of(data);
        if (!actual.equals(id)) {
            throw new CorruptObjectException("object " + id + " in " + root, id, actual);
        }
        return data;
    }

    @Override
    public void verify(ObjectId id) {
        Path p = pathOf(id);
        if (!Files.exists(p)) {
            throw new ObjectNotFoundException(id);
        }
        ObjectId actual = Sha256.ofFile(p);
        if (!actual.equals(id)) {
            throw new CorruptObjectException("object " + id + " at " + p, id, actual);
        }
    }

    @Override
    public boolean delete(ObjectId id) {
        Path p = pathOf(id);
        statsLock.lock();
        try {
            long size;
            try {
                size = Files.size(p);
            } catch (NoSuchFileException e) {
                return false;
            }
            boolean deleted = Files.deleteIfExists(p);
            if (deleted && counted) {
                objectCount--;
                byteCount -= size;
            }
            return deleted;
        } catch (IOException e) {
            throw StoreException.io("delete object " + id + " at", p, e);
        } finally {
            statsLock.unlock();
        }
    }

    /** The object file's modification time: when it was stored, or last put again. */
    @Override
    public Optional<Instant> lastModified(ObjectId id) {
        try {
            return Optional.of(Files.getLastModifiedTime(pathOf(id)).toInstant());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw StoreException.io("read the modification time of object " + id + " at", pathOf(id), e);
        }
    }

    /**
     * Deletes the object only if its file time is before {@code cutoff}, atomically with respect
     * to puts of the same bytes: a put that finds the object held renews its time under the same
     * lock, so either the put comes first and the object stays, or the delete comes first and the
     * put writes the object anew.
     */
    @Override
    public boolean deleteIfOlderThan(ObjectId id, Instant cutoff) {
        ReentrantLock lock = commitLock(id);
        lock.lock();
        try {
            Optional<Instant> t = lastModified(id);
            return t.isPresent() && t.get().isBefore(cutoff) && delete(id);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forEach(Consumer<ObjectId> action) {
        try (DirectoryStream<Path> level1 = Files.newDirectoryStream(objects)) {
            for (Path d1 : level1) {
                if (!Files.isDirectory(d1)) {
                    continue;
                }
                try (DirectoryStream<Path> level2 = Files.newDirectoryStream(d1)) {
                    for (Path d2 : level2) {
                        if (!Files.isDirectory(d2)) {
                            continue;
                        }
                        try (DirectoryStream<Path> files = Files.newDirectoryStream(d2)) {
                            for (Path f : files) {
                                String name = f.getFileName().toString();
                                if (ObjectId.isValid(name)) {
                                    action.accept(new ObjectId(name));
                                }
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw StoreException.io("list objects in", objects, e);
        }
    }

    @Override
    public StoreStats stats() {
        statsLock.lock();
        try {
            if (!counted) {
                long[] acc = new long[2];
                forEach(id -> {
                    try {
                        acc[1] += Files.size(pathOf(id));
                        acc[0]++;
                    } catch (IOException e) {
                        // deleted while counting
                    }
                });
                objectCount = acc[0];
                byteCount = acc[1];
                counted = true;
            }
            return new StoreStats(objectCount, byteCount);
        } finally {
            statsLock.unlock();
        }
    }

    private void removeStaleTemps() {
        Instant cutoff = Instant.now().minus(STALE_TEMP_AGE);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp)) {
            for (Path p : s) {
                FileTime t = Files.getLastModifiedTime(p);
                if (t.toInstant().isBefore(cutoff)) {
                    Quietly.delete(p);
                }
            }
        } catch (IOException e) {
            // Best effort: stale temporaries only waste space.
        }
    }

    @Override
    public String toString() {
        return "LocalObjectStore[" + root + "]";
    }

    /** Configures a {@link LocalObjectStore}. */
    public static final class Builder {
        private final Path root;
        private ChunkerConfig chunker = ChunkerConfig.DEFAULT;
        private boolean durable = true;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** Chunk sizes; default 16/64/256 KiB. */
        public Builder chunker(ChunkerConfig chunker) {
            this.chunker = Objects.requireNonNull(chunker, "chunker");
            return this;
        }

        /**
         * Whether each put is forced to disk before it is visible (default true). Turn off only for
         * scratch stores whose loss on power failure is acceptable.
         */
        public Builder durable(boolean durable) {
            this.durable = durable;
            return this;
        }

        public LocalObjectStore build() {
            return new LocalObjectStore(this);
        }
    }
}
