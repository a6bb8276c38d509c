package dev.lode.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.catalog.AssetRecord;
import dev.lode.catalog.CatalogException;
import dev.lode.catalog.EncodedVariant;
import dev.lode.catalog.TenantCatalog;
import dev.lode.core.ByteRange;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.MediaTypes;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.SafePaths;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's HTTP handling: parses and checks the request line, routes, and writes
 * responses. Runs on the connection's event loop; anything that may block for long (request
 * bodies, staging fetches, long polls) runs on a virtual thread while the connection holds further
 * pipelined requests until the answer is written, so responses stay in request order.
 */
final class HttpHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String ONE_YEAR = "public, max-age=31536000";
    private static final String EXPOSE = "ETag, Content-Range, Content-Length, Content-Encoding, Accept-Ranges";
    private static final String ALLOW_HEADERS =
            "Range, If-None-Match, If-Match, If-Range, Authorization, Content-Type, X-Lode-Public";
    private static final String METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS";

    private final ServerContext server;
    private final TenantRoutes tenantRoutes;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private BodyStream body;
    private boolean busy;
    private io.netty.util.concurrent.ScheduledFuture<?> headTimer;

    HttpHandler(ServerContext server) {
        this.server = server;
        this.tenantRoutes = new TenantRoutes(server, this);
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (busy && !(body != null && msg instanceof HttpContent && !(msg instanceof HttpRequest))) {
            pending.add(msg); // a pipelined request while one is answered off the loop
            ctx.channel().config().setAutoRead(false);
            return;
        }
        dispatch(ctx, msg);
    }

    private void dispatch(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest req) {
                onRequest(ctx, req);
            }
            if (msg instanceof HttpContent c) {
                onContent(c);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onContent(HttpContent c) {
        BodyStream s = body;
        if (s == null) {
            return; // a body nobody asked for (GET with a body, or after an early answer): dropped
        }
        if (c.decoderResult().isFailure()) {
            s.fail(new IOException(
                    "malformed request body: " + c.decoderResult().cause()));
            body = null;
            return;
        }
        s.offer(c.content().retain());
        if (c instanceof LastHttpContent) {
            s.end();
            body = null;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armHeadTimer(ctx);
        ctx.fireChannelActive();
    }

    /**
     * A client must send a whole request head within the idle timeout of connecting (or of its
     * previous response). The idle handler alone would let a client trickle one header byte at a
     * time forever.
     */
    private void armHeadTimer(ChannelHandlerContext ctx) {
        cancelHeadTimer();
        headTimer = ctx.executor()
                .schedule(
                        () -> {
                            LOG.debug("closing {}: no complete request head in time", ctx.channel());
                            ctx.close();
                        },
                        server.bodyReadTimeoutMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void cancelHeadTimer() {
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelHeadTimer();
        if (body != null) {
            body.fail(new IOException("client closed the connection mid-body"));
            body = null;
        }
        Object m;
        while ((m = pending.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("closing idle connection {}", ctx.channel());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest req) {
        cancelHeadTimer();
        server.requestStarted();
        boolean keepAlive = HttpUtil.isKeepAlive(req) && !server.shuttingDown();
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            Exchange ex = new Exchange(ctx, req, "/", List.of(), Map.of(), false);
            if (cause instanceof TooLongHttpHeaderException) {
                reply(ex, Reply.error(431, "Request header fields too large"));
            } else if (cause instanceof TooLongHttpLineException) {
                reply(ex, Reply.error(414, "URI too long"));
            } else if (cause instanceof TooLongFrameException) {
                reply(ex, Reply.error(431, "Request header fields too large"));
            } else {
                reply(ex, Reply.error(400, "Malformed request"));
            }
            return;
        }
        String uri = req.uri();
        if (!uri.startsWith("/")) {
            reply(new Exchange(ctx, req, "/", List.of(), Map.of(), keepAlive), Reply.error(400, "Bad request target"));
            return;
        }
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        List<String> segments;
        Map<String, List<String>> query;
        try {
            segments = segments(rawPath);
            query = q < 0 ? Map.of() : new QueryStringDecoder(uri.substring(q), false).parameters();
        } catch (IllegalArgumentException e) {
            reply(new Exchange(ctx, req, rawPath, List.of(), Map.of(), keepAlive), Reply.error(400, e.getMessage()));
            return;
        }
        Exchange ex = new Exchange(ctx, req, rawPath, segments, query, keepAlive);
        try {
            route(ex);
        } catch (RuntimeException e) {
            reply(ex, errorReply(e));
        }
    }

    /**
     * Splits and percent-decodes a request path. Refuses what could address something outside a
     * route's root: backslashes (raw or encoded), {@code .} and {@code ..} segments (raw or
     * encoded), encoded slashes, NUL and control characters.
     */
    static List<String> segments(String rawPath) {
        if (rawPath.indexOf('\\') >= 0 || rawPath.toLowerCase(Locale.ROOT).contains("%5c")) {
            throw new IllegalArgumentException("Backslash in path");
        }
        String[] parts = rawPath.substring(1).split("/", -1);
        List<String> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            String d;
            try {
                d = QueryStringDecoder.decodeComponent(p, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Bad percent-encoding in path");
            }
            if (p.indexOf('+') >= 0) {
                d = d.replace(' ', '+'); // '+' is literal in a path; decodeComponent made it a space
            }
            if (d.equals(".") || d.equals("..")) {
                throw new IllegalArgumentException("Path traversal refused");
            }
            for (int i = 0; i < d.length(); i++) {
                char c = d.charAt(i);
                if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) {
                    throw new IllegalArgumentException("Bad character in path segment");
                }
            }
            out.add(d);
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- routing

    private void route(Exchange ex) {
        if (ex.method.equals(HttpMethod.OPTIONS)) {
            preflight(ex);
            return;
        }
        List<String> s = ex.segments;
        String first = s.get(0);
        switch (first) {
            case "healthz" -> {
                if (s.size() == 1 && ex.isGetOrHead()) {
                    reply(ex, new Reply.Json(200, Map.of("status", server.shuttingDown() ? "stopping" : "ok")));
                } else {
                    notFoundOrMethod(ex, s.size() == 1, "GET, HEAD");
                }
            }
            case "metrics" -> {
                if (s.size() == 1 && ex.isGetOrHead()) {
                    offload(ex, this::metrics);
                } else {
                    notFoundOrMethod(ex, s.size() == 1, "GET, HEAD");
                }
            }
            case "assets" -> {
                if (s.size() == 2) {
                    assets(ex, s.get(1));
                } else {
                    reply(ex, Reply.error(404, "Not found"));
                }
            }
            case "objects" -> {
                if (s.size() == 2 && ex.isGetOrHead()) {
                    object(ex, s.get(1));
                } else {
                    notFoundOrMethod(ex, s.size() == 2, "GET, HEAD");
                }
            }
            case "plugins" -> {
                if (s.size() == 3 && ex.isGetOrHead()) {
                    plugin(ex, s.get(1), s.get(2));
                } else {
                    notFoundOrMethod(ex, s.size() == 3, "GET, HEAD");
                }
            }
            case "t" -> tenantRoutes.route(ex);
            default -> reply(ex, Reply.error(404, "Not found"));
        }
    }

    private void notFoundOrMethod(Exchange ex, boolean pathExists, String allow) {
        if (pathExists) {
            reply(ex, new Reply.Json(405, Map.of("error", "Method not allowed"), Map.of("Allow", allow)));
        } else {
            reply(ex, Reply.error(404, "Not found"));
        }
    }

    private void preflight(Exchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        if (ex.origin != null && ex.header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD) != null) {
            if (allowedOrigin(ex.origin) == null) {
                reply(ex, Reply.error(403, "Origin not allowed"));
                return;
            }
            h.put("Access-Control-Allow-Methods", METHODS);
            h.put("Access-Control-Allow-Headers", ALLOW_HEADERS);
            h.put("Access-Control-Max-Age", "86400");
        }
        h.put("Allow", METHODS);
        reply(ex, new Reply.Json(204, null, h));
    }

    private Reply metrics() {
        String text = server.metrics()
                .render(
                        server.catalog(),
                        server.store()::stats,
                        server.plugins() == null ? 0 : server.plugins().all().size());
        return new Reply.Json(200, new RawText(text, "text/plain; version=0.0.4; charset=utf-8"));
    }

    /** A pre-rendered text body for {@link Reply.Json}. */
    record RawText(String text, String contentType) {}

    // ---------------------------------------------------------------- /assets

    private void assets(Exchange ex, String id) {
        if (!AssetService.ID.matcher(id).matches()) {
            reply(ex, Reply.error(400, "Bad asset id"));
            return;
        }
        if (ex.isGetOrHead()) {
            var found = server.assets().find(id);
            if (found.isPresent()) {
                reply(ex, new Reply.Body(assetRepresentation(ex, found.get())));
            } else if (server.assets().stagingEnabled()) {
                offload(ex, () -> {
                    try {
                        AssetRecord r = server.assets().stage(id).join();
                        return new Reply.Body(assetRepresentation(ex, r));
                    } catch (CompletionException e) {
                        throw e.getCause() instanceof RuntimeException re ? re : e;
                    }
                });
            } else {
                reply(ex, Reply.error(404, "Asset not found"));
            }
        } else if (ex.method.equals(HttpMethod.PUT)) {
            if (!checkAdmin(ex)) {
                return;
            }
            String type = mediaTypeFor(ex, id);
            streamBody(ex, in -> {
                boolean existed = server.assets().find(id).isPresent();
                AssetRecord r = server.assets().put(id, in, type);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", r.id());
                out.put("sha256", r.objectId().hex());
                out.put("size", r.size());
                out.put("mediaType", r.mediaType());
                out.put("etag", EntityTags.strong(r.objectId().hex()));
                return new Reply.Json(
                        existed ? 200 : 201,
                        out,
                        Map.of("ETag", EntityTags.strong(r.objectId().hex())));
            });
        } else if (ex.method.equals(HttpMethod.DELETE)) {
            if (!checkAdmin(ex)) {
                return;
            }
            offload(
                    ex,
                    () -> server.assets().delete(id).isPresent()
                            ? new Reply.Json(204, null)
                            : Reply.error(404, "Asset not found"));
        } else {
            reply(
                    ex,
                    new Reply.Json(
                            405, Map.of("error", "Method not allowed"), Map.of("Allow", "GET, HEAD, PUT, DELETE")));
        }
    }

    private static String mediaTypeFor(Exchange ex, String name) {
        String ct = ex.header(HttpHeaderNames.CONTENT_TYPE);
        if (ct != null) {
            String bare = Precompressor.stripParams(ct).toLowerCase(Locale.ROOT);
            if (!bare.isEmpty()
                    && bare.indexOf('/') > 0
                    && !bare.equals("application/x-www-form-urlencoded")
                    && !bare.equals("application/octet-stream")
                    && bare.length() < 128) {
                return bare;
            }
        }
        return MediaTypes.forPath(name).mime();
    }

    Representation assetRepresentation(Exchange ex, AssetRecord a) {
        return encodedRepresentation(ex, a.objectId(), a.size(), a.mediaType(), ONE_YEAR);
    }

    /** The identity or a precomputed compressed representation of an object, by Accept-Encoding. */
    Representation encodedRepresentation(Exchange ex, ObjectId id, long size, String mediaType, String cache) {
        boolean compressible = MediaTypes.isCompressible(Precompressor.stripParams(mediaType));
        if (compressible) {
            String accept = ex.header(HttpHeaderNames.ACCEPT_ENCODING);
            if (accept != null) {
                List<EncodedVariant> variants = server.assets().encodingsOf(id);
                for (String enc : List.of("br", "gzip")) {
                    if (!accepts(accept, enc)) {
                        continue;
                    }
                    for (EncodedVariant v : variants) {
                        if (v.encoding().equals(enc)) {
                            return new Representation(
                                    new Representation.Source.StoreObject(v.encodedId()),
                                    v.size(),
                                    mediaType,
                                    EntityTags.strong(v.encodedId().hex()),
                                    enc,
                                    cache,
                                    true);
                        }
                    }
                }
            }
        }
        return new Representation(
                new Representation.Source.StoreObject(id),
                size,
                mediaType,
                EntityTags.strong(id.hex()),
                null,
                cache,
                compressible);
    }

    /** Whether an {@code Accept-Encoding} value accepts {@code coding} with q > 0. */
    static boolean accepts(String header, String coding) {
        Double star = null;
        for (String item : header.split(",")) {
            String[] p = item.split(";");
            String name = p[0].strip().toLowerCase(Locale.ROOT);
            double qv = 1.0;
            for (int i = 1; i < p.length; i++) {
                String param = p[i].strip();
                if (param.startsWith("q=")) {
                    try {
                        qv = Double.parseDouble(param.substring(2));
                    } catch (NumberFormatException e) {
                        qv = 0;
                    }
                }
            }
            if (name.equals(coding)) {
                return qv > 0;
            }
            if (name.equals("*")) {
                star = qv;
            }
        }
        return star != null && star > 0;
    }

    private boolean checkAdmin(Exchange ex) {
        String expected = server.adminKey();
        if (expected == null) {
            reply(ex, Reply.error(403, "Writes are disabled: the server has no admin key"));
            return false;
        }
        String given = ex.bearer();
        if (given == null
                || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            reply(ex, new Reply.Json(401, Map.of("error", "Admin key required"), Map.of("WWW-Authenticate", "Bearer")));
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- /objects and /plugins

    private void object(Exchange ex, String hex) {
        if (!ObjectId.isValid(hex)) {
            reply(ex, Reply.error(400, "Bad object id: expected 64 lowercase hex digits"));
            return;
        }
        ObjectId id = ObjectId.parse(hex);
        var size = server.store().size(id);
        if (size.isEmpty() || !server.assets().isPublicObject(id)) {
            reply(ex, Reply.error(404, "Object not found"));
            return;
        }
        reply(
                ex,
                new Reply.Body(new Representation(
                        new Representation.Source.StoreObject(id),
                        size.getAsLong(),
                        "application/octet-stream",
                        EntityTags.strong(hex),
                        null,
                        IMMUTABLE,
                        false)));
    }

    private void plugin(Exchange ex, String pluginId, String name) {
        PluginRegistry reg = server.plugins();
        Plugin p = reg == null ? null : reg.find(pluginId).orElse(null);
        if (p == null) {
            reply(ex, Reply.error(404, "Plugin not found"));
            return;
        }
        if (name.equals("manifest")) {
            reply(
                    ex,
                    new Reply.Body(new Representation(
                            new Representation.Source.Bytes(p.manifestBytes()),
                            p.manifestBytes().length,
                            "application/json",
                            EntityTags.strong(p.manifestSha256()),
                            null,
                            "no-cache",
                            false)));
        } else if (name.equals(p.bundleName())) {
            reply(
                    ex,
                    new Reply.Body(new Representation(
                            new Representation.Source.File(p.bundlePath()),
                            p.bundleSize(),
                            "application/zip",
                            EntityTags.strong(p.bundleSha256()),
                            null,
                            IMMUTABLE,
                            false)));
        } else {
            reply(ex, Reply.error(404, "Plugin file not found"));
        }
    }

    // ---------------------------------------------------------------- work off the loop

    /** Runs {@code work} on a virtual thread and writes its reply; later requests wait. */
    void offload(Exchange ex, Supplier<Reply> work) {
        busy = true;
        Thread.ofVirtual().name("lode-req").start(() -> {
            Reply r;
            try {
                r = work.get();
            } catch (Throwable t) {
                r = errorReply(t);
            }
            Reply fr = r;
            ex.ctx.executor().execute(() -> reply(ex, fr));
        });
    }

    /** Streams the request body into {@code work} on a virtual thread and writes its reply. */
    void streamBody(Exchange ex, Function<InputStream, Reply> work) {
        busy = true;
        ex.bodyStreamed = true;
        BodyStream s = new BodyStream(ex.ctx.channel(), server.bodyReadTimeoutMillis());
        body = s;
        Thread.ofVirtual().name("lode-body").start(() -> {
            Reply r;
            try (s) {
                r = work.apply(s);
            } catch (Throwable t) {
                r = errorReply(t);
            }
            server.metrics().bytesIn(s.received());
            Reply fr = r;
            ex.ctx.executor().execute(() -> {
                if (body == s) {
                    // Answered before the body ended (an error): the connection cannot be reused.
                    body = null;
                    ex.keepAlive = false;
                }
                reply(ex, fr);
            });
        });
    }

    Reply errorReply(Throwable t) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return switch (e) {
            case StagingException se ->
                switch (se.kind()) {
                    case NOT_FOUND -> Reply.error(404, "Asset not found");
                    case TIMEOUT -> Reply.error(504, "Source of truth timed out: " + se.getMessage());
                    case BAD_GATEWAY -> Reply.error(502, "Source of truth failed: " + se.getMessage());
                };
            case UploadException ue -> Reply.error(ue.status(), ue.getMessage());
            case SafePaths.UnsafePathException up -> Reply.error(400, up.getMessage());
            case TenantCatalog.UnknownTenantException ut -> Reply.error(404, ut.getMessage());
            case CorruptObjectException co -> Reply.error(400, co.getMessage());
            case ObjectNotFoundException nf -> Reply.error(404, "Object not found");
            case IllegalArgumentException ia -> Reply.error(400, ia.getMessage());
            case UncheckedIOException io -> Reply.error(400, "Request body failed: " + io.getMessage());
            case CatalogException ce -> {
                LOG.error("catalog failure", ce);
                yield Reply.error(500, "Catalog error");
            }
            default -> {
                if (e.getCause() instanceof IOException io) {
                    yield Reply.error(400, "Request body failed: " + io.getMessage());
                }
                LOG.error("request failed", e);
                yield Reply.error(500, "Internal error");
            }
        };
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code r} (on the event loop) and finishes the exchange. */
    void reply(Exchange ex, Reply r) {
        if (!ex.ctx.executor().inEventLoop()) {
            ex.ctx.executor().execute(() -> reply(ex, r));
            return;
        }
        try {
            switch (r) {
                case Reply.Json j -> sendJson(ex, j);
                case Reply.Body b -> sendRepresentation(ex, b.representation());
            }
        } catch (RuntimeException e) {
            LOG.error("cannot write response", e);
            sendJson(ex, Reply.error(500, "Internal error"));
        }
    }

    private void sendJson(Exchange ex, Reply.Json j) {
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
        write(ex, resp, j.status(), bytes);
    }

    private static boolean hasBody(HttpRequest req) {
        return HttpUtil.getContentLength(req, 0L) > 0 || HttpUtil.isTransferEncodingChunked(req);
    }

    private void sendRepresentation(Exchange ex, Representation rep) {
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
                write(ex, resp, 304, 0);
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
                    parts.add(open(rep.source(), r));
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
            write(ex, resp, status, 0);
            return;
        }
        ex.ctx.write(resp);
        for (Object part : parts) {
            ex.ctx.write(part instanceof ByteBuf b ? new DefaultHttpContent(b) : part);
        }
        ChannelFuture last = ex.ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        finishOn(ex, last, status, length);
    }

    /** A zero-copy file region (plain HTTP) or a chunked copy (TLS) of {@code r}. */
    private Object open(Representation.Source src, ByteRange r) {
        return switch (src) {
            case Representation.Source.Bytes b -> Unpooled.wrappedBuffer(b.bytes(), (int) r.offset(), (int) r.length());
            case Representation.Source.StoreObject o -> region(server.store().openFileChannel(o.id()), r);
            case Representation.Source.File f -> {
                try {
                    yield region(FileChannel.open(f.path(), StandardOpenOption.READ), r);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open " + f.path(), e);
                }
            }
        };
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

    private String allowedOrigin(String origin) {
        List<String> allowed = server.corsOrigins();
        if (allowed.contains("*")) {
            return "*";
        }
        return allowed.contains(origin) ? origin : null;
    }

    private void write(Exchange ex, Object response, int status, long bytes) {
        finishOn(ex, ex.ctx.writeAndFlush(response), status, bytes);
    }

    private void finishOn(Exchange ex, ChannelFuture last, int status, long bytes) {
        last.addListener((ChannelFutureListener) f -> {
            if (!ex.markFinished()) {
                return;
            }
            server.metrics().request(status);
            if (f.isSuccess()) {
                server.metrics().bytesOut(bytes);
            }
            server.requestFinished();
            if (!f.isSuccess()) {
                f.channel().close();
                return;
            }
            if (!ex.keepAlive) {
                lingeringClose(f.channel());
                return;
            }
            armHeadTimer(ex.ctx);
            if (busy) {
                busy = false;
                f.channel().config().setAutoRead(true);
                drainPending(ex.ctx);
            }
        });
    }

    /**
     * Closes after the response without a TCP reset: half-closes our side, then drops whatever the
     * client still sends (an unread body or oversized headers) until it closes or two seconds pass.
     * Closing with unread input would make the kernel send RST, and the client could lose the
     * response it has not read yet.
     */
    private void lingeringClose(io.netty.channel.Channel ch) {
        if (ch instanceof io.netty.channel.socket.DuplexChannel d && !server.tls()) {
            d.shutdownOutput().addListener(x -> {
                ch.config().setAutoRead(true);
                ch.read();
                ch.eventLoop().schedule(() -> ch.close(), 2, java.util.concurrent.TimeUnit.SECONDS);
            });
        } else {
            ch.close();
        }
    }

    private void drainPending(ChannelHandlerContext ctx) {
        Object m;
        while (!busy && (m = pending.poll()) != null) {
            dispatch(ctx, m);
        }
        if (!busy) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
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
