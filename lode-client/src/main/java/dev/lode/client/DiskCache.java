package dev.lode.client;

import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle cache: {@code CACHE/plugins/<sha256>.zip}, each verified against its name. Downloads
 * in progress are {@code <sha256>.zip.part} beside it (kept for resume). Recency is the file's
 * modification time, touched on each use; over the byte limit, the least recently used zips that
 * are not in use are deleted. On open every zip is re-hashed and a corrupt one discarded.
 */
final class DiskCache {
    private static final Logger log = LoggerFactory.getLogger(DiskCache.class);

    private final Path dir;
    private final long limitBytes;
    private final ReentrantLock lock = new ReentrantLock();

    DiskCache(Path cacheRoot, long limitBytes) {
        this.dir = cacheRoot.resolve("plugins");
        this.limitBytes = limitBytes;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DownloadException("cannot create cache folder " + dir + ": " + e.getMessage(), false, e);
        }
        if (!Files.isWritable(dir)) {
            throw new DownloadException("cache folder " + dir + " is not writable", false);
        }
    }

    Path dir() {
        return dir;
    }

    Path zip(ObjectId sha) {
        return dir.resolve(sha.hex() + ".zip");
    }

    Path part(ObjectId sha) {
        return dir.resolve(sha.hex() + ".zip.part");
    }

    /** Re-hashes every cached zip; deletes those whose content does not match their name. */
    int checkAll() {
        int discarded = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.zip")) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                String hex = name.substring(0, name.length() - 4);
                boolean ok = ObjectId.isValid(hex);
                if (ok) {
                    try {
                        ok = Sha256.ofFile(p).hex().equals(hex);
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                }
                if (!ok) {
                    log.warn("discarding corrupt cache entry {}", p);
                    Files.deleteIfExists(p);
                    discarded++;
                }
            }
        } catch (IOException e) {
            throw new DownloadException("cannot check cache folder " + dir + ": " + e.getMessage(), false, e);
        }
        return discarded;
    }

    /** Marks a zip as just used. */
    void touch(ObjectId sha) {
        try {
            Files.setLastModifiedTime(zip(sha), FileTime.from(Instant.now()));
        } catch (IOException e) {
            // Recency is advisory.
        }
    }

    /** Deletes least recently used zips not in {@code inUse} until the cache fits its limit. */
    List<Path> evict(Set<ObjectId> inUse) {
        lock.lock();
        try {
            record Entry(Path path, ObjectId sha, long size, FileTime time) {}
            List<Entry> entries = new ArrayList<>();
            long total = 0;
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.zip")) {
                for (Path p : s) {
                    String name = p.getFileName().toString();
                    String hex = name.substring(0, name.length() - 4);
                    if (!ObjectId.isValid(hex)) {
                        continue;
                    }
                    long size = Files.size(p);
                    total += size;
                    entries.add(new Entry(p, new ObjectId(hex), size, Files.getLastModifiedTime(p)));
                }
            } catch (IOException e) {
                log.warn("cannot list cache {}: {}", dir, e.toString());
                return List.of();
            }
            List<Path> evicted = new ArrayList<>();
            entries.sort(Comparator.comparing(Entry::time));
            for (Entry e : entries) {
                if (total <= limitBytes) {
                    break;
                }
                if (inUse.contains(e.sha())) {
                    continue;
                }
                try {
                    Files.deleteIfExists(e.path());
                    total -= e.size();
                    evicted.add(e.path());
                } catch (IOException ex) {
                    log.warn("cannot evict {}: {}", e.path(), ex.toString());
                }
            }
            return evicted;
        } finally {
            lock.unlock();
        }
    }
}
