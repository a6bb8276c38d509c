package dev.lode.server;

import dev.lode.catalog.CatalogException;
import dev.lode.catalog.TenantCatalog;
import dev.lode.core.CorruptObjectException;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.SafePaths;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
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

    private final ServerContext server;
    private final ResponseWriter writer;
    private final Routes routes;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private BodyStream body;
    private boolean busy;
    private io.netty.util.concurrent.ScheduledFuture<?> headTimer;

    HttpHandler(ServerContext server) {
        this.server = server;
        this.writer = new ResponseWriter(server, this::finishOn);
        this.routes = new Routes(server, this, writer);
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
            routes.route(ex);
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

    // ---------------------------------------------------------------- work off the loop

    /** Runs {@code work} on a virtual thread and writes its reply; later requests wait. */
    void offload(Exchange ex, Supplier<Reply> work) {
        busy = true;
        Thread.ofVirtual().name("lode-req").start(() -> {
            Reply r;
            try {
                r = work.get();
                server.smallObjects().warm(r);
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
                case Reply.Json j -> writer.sendJson(ex, j);
                case Reply.Body b -> writer.sendRepresentation(ex, b.representation());
            }
        } catch (RuntimeException e) {
            LOG.error("cannot write response", e);
            writer.sendJson(ex, Reply.error(500, "Internal error"));
        }
    }

    private void finishOn(Exchange ex, ChannelFuture last, int status, long bytes) {
        last.addListener((ChannelFutureListener) f -> {
            if (!ex.markFinished()) {
                return;
            }
            server.metrics().request(status);
            if (f.isSuccess()) {
                server.metrics().bytesOut(bytes);
                if (ex.servedTenant != null && (status == 200 || status == 206)) {
                    server.served().add(ex.servedTenant, bytes);
                }
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
}
