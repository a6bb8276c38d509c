package dev.lode.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.core.ByteRange;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectNotFoundException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes responses on the event loop: JSON replies, and representations through RFC 9110
 * conditionals and ranges (single, {@code multipart/byteranges}, 416), with bodies sent as
 * zero-copy file regions ({@code sendfile}) or, under TLS, chunked copies; objects of a remote
 * store (S3) are streamed by {@link RemoteRangeInput}. Adds the headers every
 * response carries: {@code Date}, {@code Server}, CORS, {@code Cross-Origin-Resource-Policy} and
 * {@code Connection}.
 */
final class ResponseWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseWriter.class);
    static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXPOSE = "ETag, Content-Range, Content-Length, Content-Encoding, Accept-Ranges";

    /** Told when a response's last write has completed or failed. */
    @FunctionalInterface
    interface Completion {
        void written(Exchange ex, ChannelFuture last, int status, long bytes);
    }

    /** A pre-rendered text body for {@link Reply.Json}. */
    record RawText(String text, String contentType) {}

    private final ServerContext server;
    private final Completion completion;

    ResponseWriter(ServerContext server, Completion completion) {
        this.server = server;
        this.completion = completion;
    }

    void sendJson(Exchange ex, Reply.Json j) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(j.status());
        ByteBuf content;
        String type = "application/json";
        if (j.body() == null || j.status() == 204 || j.status() == 304) {
            content = Unpooled.EMPTY_BUFFER;
        } else if (j.body() instanceof RawText t) {
            content = Unpooled.wrappedBuffer(t.text().getBytes(StandardCharsets.UTF_8));
            type = t.contentType();
        } else {
            try {
                content = Unpooled.wrappedBuffer(JSON.writeValueAsBytes(j.body()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot render JSON", e);
            }
        }
        FullHttpResponse resp = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, ex.isHead() ? Unpooled.EMPTY_BUFFER : content);
        HttpHeaders h = resp.headers();
        if (content.isReadable()) {
            h.set(HttpHeaderNames.CONTENT_TYPE, type);
            h.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        if (j.status() != 204) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        }
        j.headers().forEach(h::set);
        long bytes = ex.isHead() ? 0 : content.readableBytes();
        if (ex.isHead() && content != Unpooled.EMPTY_BUFFER) {
            content.release();
        }
        if (!ex.bodyStreamed && hasBody(ex.request)) {
            ex.keepAlive = false; // a request body we did not read may still be arriving
        }
        common(ex, h);
        written(ex, resp, j.status(), bytes);
    }

    private static boolean hasBody(HttpRequest req) {
        return HttpUtil.getContentLength(req, 0L) > 0 || HttpUtil.isTransferEncodingChunked(req);
    }

    void sendRepresentation(Exchange ex, Representation rep) {
        Conditionals.Outcome o = Conditionals.decide(
                true,
                ex.header(HttpHeaderNames.IF_MATCH),
                ex.header(HttpHeaderNames.IF_NONE_MATCH),
                ex.header(HttpHeaderNames.RANGE),
                ex.header(HttpHeaderNames.IF_RANGE),
                rep.etag(),
                rep.size());
        switch (o) {
            case Conditionals.Outcome.NotModified nm -> {
                FullHttpResponse resp =
                        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
                describe(resp.headers(), rep);
                common(ex, resp.headers());
                written(ex, resp, 304, 0);
            }
            case Conditionals.Outcome.PreconditionFailed pf -> sendJson(ex, Reply.error(412, "Precondition failed"));
            case Conditionals.Outcome.Unsatisfiable u ->
                sendJson(
                        ex,
                        new Reply.Json(
                                416,
                                Map.of("error", "Range not satisfiable"),
                                Map.of("Content-Range", "bytes */" + rep.size(), "Accept-Ranges", "bytes")));
            case Conditionals.Outcome.Full f -> sendBody(ex, rep, 200, List.of(ByteRange.whole(rep.size())), null);
            case Conditionals.Outcome.Partial p -> sendBody(ex, rep, 206, List.of(p.range()), null);
            case Conditionals.Outcome.Multi m -> sendBody(ex, rep, 206, m.ranges(), newBoundary());
        }
    }

    private static String newBoundary() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return "lode-" + HexFormat.of().formatHex(b);
    }

    private static void describe(HttpHeaders h, Representation rep) {
        h.set(HttpHeaderNames.ETAG, rep.etag());
        h.set(HttpHeaderNames.CACHE_CONTROL, rep.cacheControl());
        h.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (rep.varyEncoding()) {
            h.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
        if (rep.contentEncoding() != null) {
            h.set(HttpHeaderNames.CONTENT_ENCODING, rep.contentEncoding());
        }
    }

    private void sendBody(Exchange ex, Representation rep, int status, List<ByteRange> ranges, String boundary) {
        List<Object> parts = new ArrayList<>();
        long length = 0;
        try {
            for (int i = 0; i < ranges.size(); i++) {
                ByteRange r = ranges.get(i);
                if (boundary != null) {
                    String head = (i == 0 ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + rep.mediaType()
                            + "\r\nContent-Range: bytes " + r.offset() + "-" + (r.end() - 1) + "/" + rep.size()
                            + "\r\n\r\n";
                    ByteBuf hb = Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII);
                    length += hb.readableBytes();
                    parts.add(hb);
                }
                length += r.length();
                if (!ex.isHead() && r.length() > 0) {
                    parts.add(open(rep.source(), rep.size(), r, ex.ctx.channel()));
                }
            }
            if (boundary != null) {
                ByteBuf tail = Unpooled.copiedBuffer("\r\n--" + boundary + "--\r\n", StandardCharsets.US_ASCII);
                length += tail.readableBytes();
                parts.add(tail);
            }
        } catch (RuntimeException e) {
            parts.forEach(ReferenceCountUtil::release);
            if (e instanceof ObjectNotFoundException || e.getCause() instanceof NoSuchFileException) {
                sendJson(ex, Reply.error(404, "Not found"));
                return;
            }
            throw e;
        }
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HttpHeaders h = resp.headers();
        describe(h, rep);
        if (boundary != null) {
            h.set(HttpHeaderNames.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary);
        } else {
            h.set(HttpHeaderNames.CONTENT_TYPE, rep.mediaType());
            if (status == 206) {
                ByteRange r = ranges.get(0);
                h.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + r.offset() + "-" + (r.end() - 1) + "/" + rep.size());
            }
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        common(ex, h);
        if (ex.isHead()) {
            parts.forEach(ReferenceCountUtil::release);
            // The codec waits for the last content even for HEAD; without it the next response on
            // this connection is refused and the client hangs.
            ex.ctx.write(resp);
            completion.written(ex, ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), status, 0);
            return;
        }
        ex.ctx.write(resp);
        for (Object part : parts) {
            // A body part that fails after the head went out (a remote store dropping mid-object)
            // ends the connection: the client sees a short body, never a hang or wrong bytes.
            ex.ctx
                    .write(part instanceof ByteBuf b ? new DefaultHttpContent(b) : part)
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        ChannelFuture last = ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        completion.written(ex, last, status, length);
    }

    /** A zero-copy file region (plain HTTP) or a chunked copy (TLS) of {@code r}. */
    private Object open(Representation.Source src, long size, ByteRange r, Channel channel) {
        return switch (src) {
            case Representation.Source.Bytes b -> Unpooled.wrappedBuffer(b.bytes(), (int) r.offset(), (int) r.length());
            case Representation.Source.StoreObject o -> storeBody(o, size, r, channel);
            case Representation.Source.File f -> {
                try {
                    yield region(FileChannel.open(f.path(), StandardOpenOption.READ), r);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open " + f.path(), e);
                }
            }
        };
    }

    /**
     * A small object from memory, a local file by {@code sendfile}, or a remote object streamed
     * without blocking the event loop (a remote small object is in memory when its reply was built
     * off the loop, see {@link SmallObjectCache#warm}).
     */
    private Object storeBody(Representation.Source.StoreObject o, long size, ByteRange r, Channel channel) {
        boolean small = size <= SmallObjectCache.MAX_OBJECT;
        if (o.store() instanceof LocalObjectStore local) {
            if (small) {
                byte[] bytes = server.smallObjects().get(local, o.id());
                return Unpooled.wrappedBuffer(bytes, (int) r.offset(), (int) r.length());
            }
            return region(local.openFileChannel(o.id()), r);
        }
        byte[] cached = small ? server.smallObjects().getIfPresent(o.id()) : null;
        if (cached != null) {
            return Unpooled.wrappedBuffer(cached, (int) r.offset(), (int) r.length());
        }
        return new RemoteRangeInput(o.store(), o.id(), r, size, channel);
    }

    private Object region(FileChannel fc, ByteRange r) {
        if (server.tls()) {
            try {
                return new ChunkedNioFile(fc, r.offset(), r.length(), 64 * 1024);
            } catch (IOException e) {
                try {
                    fc.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                throw new UncheckedIOException(e);
            }
        }
        return new DefaultFileRegion(fc, r.offset(), r.length());
    }

    private void common(Exchange ex, HttpHeaders h) {
        h.set(HttpHeaderNames.DATE, HttpDate.now());
        h.set(HttpHeaderNames.SERVER, "lode");
        h.set("Cross-Origin-Resource-Policy", "cross-origin");
        if (ex.origin != null) {
            String allow = allowedOrigin(ex.origin);
            if (allow != null) {
                h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allow);
                h.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE);
                if (!allow.equals("*")) {
                    h.add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
                }
            }
        }
        if (server.shuttingDown()) {
            ex.keepAlive = false;
        }
        if (!ex.keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (ex.request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    String allowedOrigin(String origin) {
        List<String> allowed = server.corsOrigins();
        if (allowed.contains("*")) {
            return "*";
        }
        return allowed.contains(origin) ? origin : null;
    }

    private void written(Exchange ex, Object response, int status, long bytes) {
        completion.written(ex, ex.ctx.writeAndFlush(response), status, bytes);
    }

    /** {@code Date} header values, formatted at most once per second. */
    static final class HttpDate {
        private static volatile long second;
        private static volatile String text = "";

        static String now() {
            long s = System.currentTimeMillis() / 1000;
            if (s != second) {
                text = DateFormatter.format(new Date(s * 1000));
                second = s;
            }
            return text;
        }
    }
}
