package dev.lode.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;

/** One request being answered: the parsed request line and what the response must honour. */
final class Exchange {
    final ChannelHandlerContext ctx;
    final HttpRequest request;
    final HttpMethod method;
    final String rawPath;
    final List<String> segments;
    final Map<String, List<String>> query;
    final String origin;
    boolean keepAlive;
    boolean bodyStreamed;
    /** The tenant whose artifact the response carries, for bytes-served accounting; else null. */
    String servedTenant;

    private boolean finished;

    Exchange(
            ChannelHandlerContext ctx,
            HttpRequest request,
            String rawPath,
            List<String> segments,
            Map<String, List<String>> query,
            boolean keepAlive) {
        this.ctx = ctx;
        this.request = request;
        this.method = request.method();
        this.rawPath = rawPath;
        this.segments = segments;
        this.query = query;
        this.origin = request.headers().get(HttpHeaderNames.ORIGIN);
        this.keepAlive = keepAlive;
    }

    boolean isHead() {
        return method.equals(HttpMethod.HEAD);
    }

    boolean isGetOrHead() {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
    }

    String header(CharSequence name) {
        return request.headers().get(name);
    }

    /** The first value of query parameter {@code name}, or null. */
    String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    boolean hasParam(String name) {
        return query.containsKey(name);
    }

    String segment(int i) {
        return segments.get(i);
    }

    /** The bearer token of {@code Authorization}, or null. */
    String bearer() {
        String a = header(HttpHeaderNames.AUTHORIZATION);
        if (a == null || !a.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return a.substring(7).strip();
    }

    /** {@code scheme://host[:port]} as the client addressed us. */
    String baseUrl(boolean tls) {
        String host = header(HttpHeaderNames.HOST);
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}")) {
            host = "localhost";
        }
        return (tls ? "https://" : "http://") + host;
    }

    /** Marks the exchange answered; returns false if it already was. */
    boolean markFinished() {
        if (finished) {
            return false;
        }
        finished = true;
        return true;
    }
}
