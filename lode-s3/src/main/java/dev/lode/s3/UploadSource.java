package dev.lode.s3;

import dev.lode.core.ChunkMap;
import dev.lode.core.Chunker;
import dev.lode.core.ChunkerConfig;
import dev.lode.core.ObjectDigester;
import dev.lode.core.ObjectId;
import dev.lode.core.Quietly;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The bytes of one upload after the pass that names them: S3 needs the key (the SHA-256) before
 * the first byte is sent, so the content is read once to compute its id, chunk map and the SHA-256
 * of each part, and kept where it can be read again: in memory when smaller than the multipart
 * threshold, else in a spool file (or the caller's own file). Memory stays bounded by the
 * threshold whatever the size.
 */
final class UploadSource implements AutoCloseable {
    private static final int BUFFER = 1 << 20;

    private final ObjectDigester.Result digest;
    private final byte[] inline;
    private final Path file;
    private final boolean ownsFile;
    private final long partSize;
    private final List<byte[]> partHashes;

    private UploadSource(
            ObjectDigester.Result digest,
            byte[] inline,
            Path file,
            boolean ownsFile,
            long partSize,
            List<byte[]> partHashes) {
        this.digest = digest;
        this.inline = inline;
        this.file = file;
        this.ownsFile = ownsFile;
        this.partSize = partSize;
        this.partHashes = partHashes;
    }

    /** Reads {@code in} to its end, spooling past {@code inlineLimit} bytes into {@code spoolDir}. */
    static UploadSource fromStream(
            InputStream in, Path spoolDir, long inlineLimit, long partSize, long maxSize, ChunkerConfig chunker) {
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        Path spool = null;
        OutputStream out = memory;
        ObjectDigester.Result result;
        List<byte[]> parts;
        try (Pass pass = new Pass(partSize, chunker)) {
            while (true) {
                byte[] buf = pass.buffer();
                int n = in.readNBytes(buf, 0, buf.length);
                if (n <= 0) {
                    pass.release(buf);
                    break;
                }
                if (pass.size() + n > maxSize) {
                    pass.release(buf);
                    throw new StoreException(
                            "upload is larger than " + maxSize + " bytes (10,000 parts); raise the part size", null);
                }
                if (spool == null && memory.size() + n >= inlineLimit) {
                    Files.createDirectories(spoolDir);
                    spool = Files.createTempFile(spoolDir, "lode-s3-", ".spool");
                    out = Files.newOutputStream(spool, StandardOpenOption.WRITE);
                    memory.writeTo(out);
                    memory = null;
                }
                out.write(buf, 0, n);
                pass.submit(buf, n);
            }
            out.close();
            result = pass.finish();
            parts = pass.parts;
        } catch (IOException e) {
            Quietly.close(out);
            Quietly.delete(spool);
            throw new StoreException(
                    "cannot read upload" + (spool == null ? "" : " (spooling to " + spool + ")") + ": "
                            + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            Quietly.close(out);
            Quietly.delete(spool);
            throw e;
        }
        return spool == null
                ? new UploadSource(result, memory.toByteArray(), null, false, partSize, parts)
                : new UploadSource(result, null, spool, true, partSize, parts);
    }

    /** Reads the caller's file once; the upload reads it again, checked by the part hashes. */
    static UploadSource fromFile(Path file, long partSize, long maxSize, ChunkerConfig chunker) {
        try (Pass pass = new Pass(partSize, chunker);
                FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > maxSize) {
                throw new StoreException(
                        "cannot upload " + file + ": " + ch.size() + " bytes is more than " + maxSize
                                + " (10,000 parts); raise the part size",
                        null);
            }
            while (true) {
                byte[] buf = pass.buffer();
                ByteBuffer bb = ByteBuffer.wrap(buf);
                while (bb.hasRemaining() && ch.read(bb) >= 0) {
                    // fill the buffer: fewer, larger hand-offs to the chunking thread
                }
                if (bb.position() == 0) {
                    pass.release(buf);
                    break;
                }
                pass.submit(buf, bb.position());
            }
            return new UploadSource(pass.finish(), null, file, false, partSize, pass.parts);
        } catch (NoSuchFileException e) {
            throw new StoreException("cannot read " + file + ": no such file", e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    ObjectDigester.Result digest() {
        return digest;
    }

    long size() {
        return digest.size();
    }

    /** The content when it is held in memory, else null. */
    byte[] inline() {
        return inline;
    }

    /** The file holding the content when it is not in memory, else null. */
    Path file() {
        return file;
    }

    long partSize() {
        return partSize;
    }

    int partCount() {
        return partHashes.size();
    }

    /** The SHA-256 of part {@code index} (zero-based). */
    byte[] partHash(int index) {
        return partHashes.get(index).clone();
    }

    long partOffset(int index) {
        return index * partSize;
    }

    long partLength(int index) {
        return Math.min(partSize, size() - partOffset(index));
    }

    /** The parts as {@link MultipartUploader} sends them (hashes from the reading pass). */
    UploadParts parts() {
        return new UploadParts() {
            @Override
            public int count() {
                return partCount();
            }

            @Override
            public long length(int index) {
                return partLength(index);
            }

            @Override
            public byte[] sha256(int index) {
                return partHash(index);
            }

            @Override
            public software.amazon.awssdk.core.async.AsyncRequestBody body(int index) {
                return partBody(index);
            }
        };
    }

    /** A body for the whole content (single PUT). */
    software.amazon.awssdk.core.async.AsyncRequestBody body() {
        return partBody(0, size());
    }

    /** A body for part {@code index}, read from memory or the file (a new one for each attempt). */
    software.amazon.awssdk.core.async.AsyncRequestBody partBody(int index) {
        return partBody(partOffset(index), partLength(index));
    }

    private software.amazon.awssdk.core.async.AsyncRequestBody partBody(long off, long len) {
        if (inline != null) {
            return software.amazon.awssdk.core.async.AsyncRequestBody.fromByteBufferUnsafe(
                    java.nio.ByteBuffer.wrap(inline, (int) off, (int) len).slice());
        }
        return software.amazon.awssdk.core.async.AsyncRequestBody.fromFile(
                software.amazon.awssdk.core.FileRequestBodyConfiguration.builder()
                        .path(file)
                        .position(off)
                        .numBytesToRead(len)
                        .chunkSizeInBytes(BUFFER)
                        .build());
    }

    @Override
    public void close() {
        if (ownsFile) {
            Quietly.delete(file);
        }
    }

    /**
     * The single pass over the bytes, on two cores: the reading thread computes the object's SHA-256
     * and each fixed-size part's SHA-256, while a second thread runs the FastCDC chunker (which hashes
     * every chunk). Buffers circulate through a small pool, so memory stays at a few MiB.
     */
    private static final class Pass implements AutoCloseable {
        private static final int POOL = 4;
        private static final Slice END = new Slice(new byte[0], -1);

        private final MessageDigest whole = Sha256.newDigest();
        private final Chunker chunker;
        private final long partSize;
        private final List<byte[]> parts = new ArrayList<>();
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(POOL);
        private final BlockingQueue<Slice> toChunker = new ArrayBlockingQueue<>(POOL + 1);
        private final Thread chunking;
        private volatile Throwable chunkerFailure;
        private MessageDigest part = Sha256.newDigest();
        private long inPart;
        private long size;
        private boolean ended;

        private record Slice(byte[] buf, int len) {}

        Pass(long partSize, ChunkerConfig config) {
            this.chunker = new Chunker(config);
            this.partSize = partSize;
            for (int i = 0; i < POOL; i++) {
                free.add(new byte[BUFFER]);
            }
            this.chunking = Thread.ofPlatform().daemon().name("lode-s3-chunker").start(this::chunk);
        }

        private void chunk() {
            while (true) {
                Slice s;
                try {
                    s = toChunker.take();
                } catch (InterruptedException e) {
                    chunkerFailure = e;
                    return;
                }
                if (s == END) {
                    return;
                }
                try {
                    if (chunkerFailure == null) {
                        chunker.update(s.buf(), 0, s.len());
                    }
                } catch (RuntimeException e) {
                    chunkerFailure = e;
                } finally {
                    free.add(s.buf());
                }
            }
        }

        long size() {
            return size;
        }

        byte[] buffer() {
            try {
                return free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while hashing an upload", e);
            }
        }

        void release(byte[] buf) {
            free.add(buf);
        }

        /** Hashes {@code len} bytes of {@code buf} and hands the buffer to the chunking thread. */
        void submit(byte[] buf, int len) {
            whole.update(buf, 0, len);
            int off = 0;
            while (off < len) {
                int take = (int) Math.min(len - off, partSize - inPart);
                part.update(buf, off, take);
                off += take;
                inPart += take;
                if (inPart == partSize) {
                    parts.add(part.digest());
                    part = Sha256.newDigest();
                    inPart = 0;
                }
            }
            size += len;
            toChunker.add(new Slice(buf, len));
        }

        ObjectDigester.Result finish() {
            end();
            if (chunkerFailure != null) {
                throw new StoreException("cannot chunk upload: " + chunkerFailure, chunkerFailure);
            }
            if (inPart > 0) {
                parts.add(part.digest());
            }
            ChunkMap map = chunker.finish();
            return new ObjectDigester.Result(ObjectId.ofDigest(whole.digest()), size, map);
        }

        private void end() {
            if (ended) {
                return;
            }
            ended = true;
            toChunker.add(END);
            try {
                chunking.join();
            } catch (InterruptedException e) {
                chunking.interrupt();
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while hashing an upload", e);
            }
        }

        @Override
        public void close() {
            end();
        }
    }
}
