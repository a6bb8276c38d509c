package dev.lode.server;

import dev.lode.core.ByteRange;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A byte range of an object in a remote store (S3), streamed to the client without ever blocking
 * the event loop: a virtual thread reads the object ahead into a small bounded queue, and {@link
 * ChunkedWriteHandler} takes chunks from it as the socket drains. An empty queue answers {@code
 * null} ("nothing yet"), and the reader wakes the handler when the next chunk arrives. At most
 * {@link #AHEAD} chunks wait in memory per response, so a slow client holds back its reader.
 *
 * <p>The read starts on the first {@link #readChunk}, so a multi-range response opens one remote
 * stream at a time. A whole object is hashed on the way and its last chunk held back until the
 * hash matches its id: bytes that are not the object end the response short (the connection is
 * closed), so a client never receives a complete wrong body.
 */
final class RemoteRangeInput implements ChunkedInput<ByteBuf> {
    static final int CHUNK = 128 * 1024;
    static final int AHEAD = 8;
    private static final Object END = new Object();

    private final ObjectStore store;
    private final ObjectId id;
    private final ByteRange range;
    private final Channel channel;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD + 1);
    private long delivered;
    private boolean ended;
    private volatile boolean closed;
    private Thread reader;

    private final boolean whole;

    /** {@code objectSize} tells whether {@code range} is the whole object (then it is verified). */
    RemoteRangeInput(ObjectStore store, ObjectId id, ByteRange range, long objectSize, Channel channel) {
        this.store = store;
        this.whole = range.offset() == 0 && range.length() == objectSize;
        this.channel = channel;
        this.id = id;
        this.range = range;
    }

    @Override
    public boolean isEndOfInput() {
        return ended || delivered == range.length();
    }

    @Override
    @Deprecated
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        if (isEndOfInput()) {
            return null;
        }
        if (reader == null) {
            reader = Thread.ofVirtual()
                    .name("lode-remote-read-" + id.hex().substring(0, 12))
                    .start(this::pump);
        }
        Object next = queue.poll();
        if (next == null) {
            return null; // the reader resumes the transfer when it has more
        }
        if (next instanceof Throwable t) {
            ended = true;
            throw new StoreException("reading " + range + " of object " + id + " failed: " + t.getMessage(), t);
        }
        if (next == END) {
            ended = true;
            if (delivered != range.length()) {
                throw new StoreException(
                        "object " + id + " ended after " + delivered + " of " + range.length() + " bytes of " + range,
                        null);
            }
            return null;
        }
        ByteBuf b = (ByteBuf) next;
        delivered += b.readableBytes();
        return b;
    }

    private void pump() {
        MessageDigest md = whole ? Sha256.newDigest() : null;
        try (InputStream in = store.openRange(id, range)) {
            long left = range.length();
            while (left > 0 && !closed) {
                byte[] buf = new byte[(int) Math.min(CHUNK, left)];
                int n = in.readNBytes(buf, 0, buf.length);
                if (n == 0) {
                    break;
                }
                left -= n;
                if (md != null) {
                    md.update(buf, 0, n);
                    if (left == 0) {
                        ObjectId actual = ObjectId.ofDigest(md.digest());
                        if (!actual.equals(id)) {
                            throw new CorruptObjectException("object read from " + store, id, actual);
                        }
                    }
                }
                queue.put(Unpooled.wrappedBuffer(buf, 0, n));
                wake();
            }
            queue.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!closed) {
                queue.offer(e);
            }
        }
        wake();
    }

    private void wake() {
        ChunkedWriteHandler h = channel.pipeline().get(ChunkedWriteHandler.class);
        if (h != null) {
            h.resumeTransfer();
        }
    }

    @Override
    public long length() {
        return range.length();
    }

    @Override
    public long progress() {
        return delivered;
    }

    @Override
    public void close() {
        closed = true;
        if (reader != null) {
            reader.interrupt();
        }
        Object o;
        while ((o = queue.poll()) != null) {
            if (o instanceof ByteBuf b) {
                b.release();
            }
        }
    }
}
