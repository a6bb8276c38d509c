package dev.lode.s3;

import dev.lode.core.ByteRange;
import dev.lode.core.ObjectId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only channel over an S3 object: reads stream from one ranged GET that runs to the end of
 * the object, and a seek elsewhere closes it and starts another at the new position.
 */
final class S3RangeChannel implements SeekableByteChannel {
    private final S3ObjectStore store;
    private final ObjectId id;
    private final long size;
    private long position;
    private InputStream current;
    private long currentPosition = -1;
    private boolean open = true;

    S3RangeChannel(S3ObjectStore store, ObjectId id, long size) {
        this.store = store;
        this.id = id;
        this.size = size;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        if (current == null || currentPosition != position) {
            closeCurrent();
            current = store.openRange(id, new ByteRange(position, size - position));
            currentPosition = position;
        }
        int want = (int) Math.min(dst.remaining(), size - position);
        int n;
        if (dst.hasArray()) {
            n = current.read(dst.array(), dst.arrayOffset() + dst.position(), want);
            if (n > 0) {
                dst.position(dst.position() + n);
            }
        } else {
            byte[] tmp = new byte[Math.min(want, 1 << 16)];
            n = current.read(tmp, 0, tmp.length);
            if (n > 0) {
                dst.put(tmp, 0, n);
            }
        }
        if (n < 0) {
            throw new IOException("object " + id + " ended at " + position + " of " + size + " bytes");
        }
        position += n;
        currentPosition += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        closeCurrent();
    }

    private void closeCurrent() throws IOException {
        if (current != null) {
            if (current instanceof software.amazon.awssdk.core.ResponseInputStream<?> r) {
                r.abort(); // do not drain the rest of a large object just to reuse the connection
            }
            current.close();
            current = null;
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
