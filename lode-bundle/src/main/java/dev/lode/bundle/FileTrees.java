package dev.lode.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Folder helpers for building output beside its target and swapping it into place. */
final class FileTrees {
    private FileTrees() {}

    /** Deletes a tree without following links; quietly does nothing if it is gone. */
    static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException | UncheckedIOException e) {
            // best effort: the caller is already reporting the real failure
        }
    }

    static void delete(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Creates an empty hidden folder beside {@code target} for building its replacement, with
     * the usual folder permissions (rwxr-xr-x) rather than the temp-folder default rwx------.
     */
    static Path createSibling(Path target, String purpose) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + target.getFileName() + "." + purpose + "-");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        return tmp;
    }

    /** Flushes a folder's entries (new names, renames) to disk; ignored where unsupported. */
    static void fsyncDir(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot open or sync folders; the data files themselves are synced
        }
    }

    /**
     * Moves the finished folder {@code built} to {@code target}. If {@code target} exists it is
     * first renamed aside, then deleted once {@code built} is in place (restored if the second
     * rename fails). Both renames are atomic; between them, for a moment, {@code target} does not
     * exist.
     */
    static void swapInto(Path built, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(parent);
            return;
        }
        Path old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
        Files.delete(old);
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(built, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        fsyncDir(parent);
        deleteQuietly(old);
    }
}
