package dev.lode.bundle;

import dev.lode.core.SafePaths;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Extracts an untrusted zip (a plugin bundle or any zip using methods 0, 8 or 93) into a folder,
 * atomically.
 *
 * <p>Before anything is written the whole central directory is checked (see {@link ZipReader}):
 * entries with {@code ..}, absolute paths, backslashes or control characters, symbolic links
 * and special files, duplicate names, files inside files, encryption, unsupported methods and
 * overlapping data are refused, as are zips over the entry or byte limits. Each entry is then
 * decompressed, never beyond its declared size (zip bombs stop there), and its size and CRC-32
 * are checked.
 *
 * <p>Files go to a hidden temporary folder beside the target ({@code .<name>.unpack-*}), which is
 * renamed to the target at the end. With {@link Builder#replaceExisting(boolean)}, an existing
 * target is renamed aside, the new folder renamed in, and the old one deleted: the downloader's
 * "replace runtime_cache/plugins/<id>/ with the new version". Any failure deletes the temporary
 * folder and leaves the target as it was.
 *
 * <pre>{@code
 * SafeUnzipper.builder().replaceExisting(true).build().extract(zip, cacheDir.resolve("plugins/7"));
 * }</pre>
 */
public final class SafeUnzipper {
    /** Default limit on entries. */
    public static final long DEFAULT_MAX_ENTRIES = 1_000_000;

    private final long maxEntries;
    private final long maxTotalBytes;
    private final boolean replaceExisting;

    private SafeUnzipper(Builder b) {
        this.maxEntries = b.maxEntries;
        this.maxTotalBytes = b.maxTotalBytes;
        this.replaceExisting = b.replaceExisting;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link SafeUnzipper}. */
    public static final class Builder {
        private long maxEntries = DEFAULT_MAX_ENTRIES;
        private long maxTotalBytes = Long.MAX_VALUE;
        private boolean replaceExisting;

        private Builder() {}

        /** Refuse zips with more entries than this (default one million). */
        public Builder maxEntries(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxEntries must be positive, got " + n);
            }
            this.maxEntries = n;
            return this;
        }

        /** Refuse zips whose entries declare more bytes in total than this (default: no limit). */
        public Builder maxTotalBytes(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("maxTotalBytes must not be negative, got " + n);
            }
            this.maxTotalBytes = n;
            return this;
        }

        /** Whether an existing target folder is replaced (default: an existing target is an error). */
        public Builder replaceExisting(boolean replace) {
            this.replaceExisting = replace;
            return this;
        }

        public SafeUnzipper build() {
            return new SafeUnzipper(this);
        }
    }

    /** Extracts {@code zip} into {@code target} (created; its parent must exist or is created). */
    public UnpackResult extract(Path zip, Path target) {
        try (FileChannel ch = FileChannel.open(zip, StandardOpenOption.READ)) {
            return extract(ch, zip.getFileName().toString(), target);
        } catch (NoSuchFileException e) {
            throw new BundleException("zip not found: " + zip);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + zip + ": " + e.getMessage(), e);
        }
    }

    /**
     * Extracts the zip read from {@code channel} ({@code zipName} names it in errors) into
     * {@code target}. The channel is not closed.
     */
    public UnpackResult extract(SeekableByteChannel channel, String zipName, Path target) {
        Path dest = target.toAbsolutePath().normalize();
        if (dest.getFileName() == null) {
            throw new BundleException("cannot unpack onto the file system root");
        }
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            if (!replaceExisting) {
                throw new BundleException("target " + target + " already exists (use replace to overwrite it)");
            }
            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                throw new BundleException("target " + target + " exists and is not a folder");
            }
        }
        ZipReader reader = new ZipReader(channel, zipName, maxEntries);
        long declared = 0;
        for (ZipEntryInfo e : reader.entries()) {
            declared += e.size();
            if (declared > maxTotalBytes || declared < 0) {
                throw new BundleException(
                        "zip " + zipName + " declares more than " + maxTotalBytes + " bytes in total; refusing it");
            }
        }
        Path tmp = null;
        try {
            tmp = FileTrees.createSibling(dest, "unpack");
            long files = 0;
            long bytes = 0;
            for (ZipEntryInfo e : reader.entries()) {
                Path p = SafePaths.resolveUnder(tmp, e.name());
                if (e.directory()) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                try (OutputStream out = new BufferedOutputStream(
                        Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 64 * 1024)) {
                    reader.copy(e, out);
                }
                files++;
                bytes += e.size();
            }
            FileTrees.swapInto(tmp, dest);
            tmp = null;
            return new UnpackResult(dest, files, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zipName + " into " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                FileTrees.deleteQuietly(tmp);
            }
        }
    }
}
