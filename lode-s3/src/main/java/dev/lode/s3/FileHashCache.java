package dev.lode.s3;

import dev.lode.core.ObjectId;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SHA-256 of files this process hashed, kept while the file is unchanged, so that putting the
 * same file again costs a {@code stat} and a {@code HEAD} instead of reading it (the idea of git's
 * index and borg's files cache). An entry is found only when the file's {@link FileStamp} (inode,
 * size, modification and change time) is the same as when it was hashed.
 *
 * <p>Like git ("racy git"), a file whose modification or change time is within {@link
 * #RACY_MARGIN_MILLIS} of the moment hashing started is not remembered: a write in the same time
 * stamp tick as the hash could otherwise go unnoticed. Files without a change time (platforms
 * without the {@code unix} attribute view) are never remembered. Bounded, least recently used
 * entries go first. Thread-safe. Written here rather than with Caffeine because it is one small
 * {@link LinkedHashMap} and lode-s3 does not otherwise need a cache library.
 */
final class FileHashCache {
    /** Files touched this close to hashing are not remembered. */
    static final long RACY_MARGIN_MILLIS = 2_000;

    private record Known(FileStamp stamp, ObjectId id) {}

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final LinkedHashMap<Path, Known> entries;

    FileHashCache(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Known> eldest) {
                return size() > FileHashCache.this.capacity;
            }
        };
    }

    /** The id of {@code file} if it was hashed with exactly this stamp. */
    Optional<ObjectId> lookup(Path file, FileStamp now) {
        if (capacity == 0 || !now.reliable()) {
            return Optional.empty();
        }
        Path key = file.toAbsolutePath().normalize();
        lock.lock();
        try {
            Known e = entries.get(key);
            if (e == null) {
                return Optional.empty();
            }
            if (!e.stamp().equals(now)) {
                entries.remove(key);
                return Optional.empty();
            }
            return Optional.of(e.id());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Remembers that {@code file}, unchanged ({@code stamp}) from before to after hashing, has
     * {@code id}; hashing started at {@code hashStartMillis}.
     */
    void remember(Path file, FileStamp stamp, ObjectId id, long hashStartMillis) {
        if (capacity == 0 || !stamp.reliable()) {
            return;
        }
        long limit = TimeUnit.MILLISECONDS.toNanos(hashStartMillis - RACY_MARGIN_MILLIS);
        if (stamp.mtimeNanos() >= limit || stamp.ctimeNanos() >= limit) {
            return;
        }
        Path key = file.toAbsolutePath().normalize();
        lock.lock();
        try {
            entries.put(key, new Known(stamp, id));
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }
}
