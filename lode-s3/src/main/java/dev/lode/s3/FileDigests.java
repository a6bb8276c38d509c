package dev.lode.s3;

import dev.lode.core.ChunkMap;
import dev.lode.core.Chunker;
import dev.lode.core.ChunkerConfig;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The two reads of a file that lode needs before uploading it, run on two cores at once: the
 * object's SHA-256 (its key, on the caller's thread) and its FastCDC chunk map (on a background
 * thread, {@link #chunkMapInBackground}), each reading the file on its own (the second read comes
 * from the page cache).
 */
final class FileDigests {
    private static final int BUFFER = 1 << 20;

    private FileDigests() {}

    /** The SHA-256 of {@code file}'s first {@code size} bytes; fails if it is shorter or longer. */
    static ObjectId sha256(Path file, long size) {
        MessageDigest md = Sha256.newDigest();
        byte[] buf = new byte[BUFFER];
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            int n;
            while ((n = ch.read(bb.clear())) > 0) {
                md.update(buf, 0, n);
                total += n;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (total != size) {
            throw new StoreException(
                    "file " + file + " changed while it was being hashed (" + size + " then " + total + " bytes)",
                    null);
        }
        return ObjectId.ofDigest(md.digest());
    }

    /** A chunk map of {@code file} computed on a new platform thread; cancel it to stop early. */
    static Background chunkMapInBackground(Path file, ChunkerConfig config) {
        Background b = new Background();
        Thread.ofPlatform().daemon().name("lode-s3-chunk-map").start(() -> b.run(file, config));
        return b;
    }

    /** A chunk map being computed. */
    static final class Background {
        private final CompletableFuture<ChunkMap> result = new CompletableFuture<>();
        private volatile boolean cancelled;

        private void run(Path file, ChunkerConfig config) {
            try {
                Chunker chunker = new Chunker(config);
                byte[] buf = new byte[BUFFER];
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    ByteBuffer bb = ByteBuffer.wrap(buf);
                    int n;
                    while (!cancelled && (n = ch.read(bb.clear())) > 0) {
                        chunker.update(buf, 0, n);
                    }
                }
                if (cancelled) {
                    result.cancel(false);
                } else {
                    result.complete(chunker.finish());
                }
            } catch (IOException e) {
                result.completeExceptionally(
                        new StoreException("cannot read " + file + " for its chunk map: " + e.getMessage(), e));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        /** Waits for the chunk map. */
        ChunkMap await() {
            try {
                return result.get();
            } catch (InterruptedException e) {
                cancel();
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while computing a chunk map", e);
            } catch (CancellationException e) {
                throw new StoreException("chunk map computation was cancelled", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new StoreException("cannot compute chunk map: " + e.getCause(), e.getCause());
            }
        }

        /** Stops reading (the result is then never used). */
        void cancel() {
            cancelled = true;
        }
    }
}
