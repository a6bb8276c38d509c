package dev.lode.s3;

import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;

/**
 * The parts of a file uploaded in place: each part task hashes its own byte range (positional
 * reads on one shared {@link FileChannel}, so parts hash in parallel on every core) and then sends
 * the same range straight from the file; nothing is spooled or held in memory beyond one buffer per
 * part task. If the file changes meanwhile, either a part's bytes no longer match the SHA-256 it is
 * sent with (the service rejects it) or {@link #beforeComplete} finds a different {@link FileStamp}
 * and the upload is aborted.
 */
final class FileParts implements UploadParts, AutoCloseable {
    private static final int BUFFER = 1 << 20;

    private final Path file;
    private final FileStamp stamp;
    private final long partSize;
    private final int count;
    private final FileChannel channel;

    FileParts(Path file, FileStamp stamp, long partSize) {
        this.file = file;
        this.stamp = stamp;
        this.partSize = partSize;
        this.count = (int) Math.max(1, (stamp.size() + partSize - 1) / partSize);
        try {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int count() {
        return count;
    }

    private long offset(int index) {
        return index * partSize;
    }

    @Override
    public long length(int index) {
        return Math.min(partSize, stamp.size() - offset(index));
    }

    @Override
    public byte[] sha256(int index) {
        MessageDigest md = Sha256.newDigest();
        byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(1, length(index)))];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long pos = offset(index);
        long end = pos + length(index);
        try {
            while (pos < end) {
                bb.clear().limit((int) Math.min(buf.length, end - pos));
                int n = channel.read(bb, pos);
                if (n < 0) {
                    throw new StoreException(
                            "file " + file + " shrank while it was being uploaded (part " + (index + 1) + ")", null);
                }
                md.update(buf, 0, n);
                pos += n;
            }
        } catch (IOException e) {
            throw new StoreException("cannot read part " + (index + 1) + " of " + file + ": " + e.getMessage(), e);
        }
        return md.digest();
    }

    @Override
    public AsyncRequestBody body(int index) {
        return AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder()
                .path(file)
                .position(offset(index))
                .numBytesToRead(length(index))
                .chunkSizeInBytes(BUFFER)
                .build());
    }

    @Override
    public void beforeComplete() {
        if (!FileStamp.of(file).equals(stamp)) {
            throw new StoreException("file " + file + " changed while it was being uploaded; upload aborted", null);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // read-only channel: nothing is lost
        }
    }
}
