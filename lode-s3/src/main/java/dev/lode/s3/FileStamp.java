package dev.lode.s3;

import dev.lode.core.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What the file system says about a file at one moment: identity (device and inode), size,
 * modification and change times. Any write to the file changes its change time ({@code ctime}),
 * which no program can set back, so two equal stamps taken around a read mean the file did not
 * change in between (up to the time stamps' resolution; see {@link FileHashCache}).
 *
 * @param fileKey the file system's identity of the file (device and inode on Unix), or null
 * @param size bytes
 * @param mtimeNanos last modification, nanoseconds since the epoch
 * @param ctimeNanos last status change, nanoseconds since the epoch, or -1 when the platform has none
 */
record FileStamp(Object fileKey, long size, long mtimeNanos, long ctimeNanos) {
    /** Whether this stamp can tell a changed file from an unchanged one (it has a change time). */
    boolean reliable() {
        return fileKey != null && ctimeNanos >= 0;
    }

    static FileStamp of(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            try {
                Map<String, Object> a = Files.readAttributes(file, "unix:fileKey,size,lastModifiedTime,ctime");
                return new FileStamp(
                        a.get("fileKey"),
                        (Long) a.get("size"),
                        nanos((FileTime) a.get("lastModifiedTime")),
                        nanos((FileTime) a.get("ctime")));
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new FileStamp(a.fileKey(), a.size(), nanos(a.lastModifiedTime()), -1);
            }
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }
}
