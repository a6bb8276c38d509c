package dev.lode.server;

import dev.lode.catalog.AssetRecord;
import dev.lode.catalog.EncodedVariant;
import dev.lode.core.MediaTypes;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/**
 * Routes a checked request to its endpoint: health, metrics, logical assets (with auto-staging
 * and encoding negotiation), content-hash objects and plugin files; {@code /t/...} goes to
 * {@link TenantRoutes}. Endpoints answer through {@link HttpHandler#reply}, or hand blocking work
 * to {@link HttpHandler#offload} and {@link HttpHandler#streamBody}.
 */
final class Routes {
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String ONE_YEAR = "public, max-age=31536000";
    private static final String ALLOW_HEADERS =
            "Range, If-None-Match, If-Match, If-Range, Authorization, Content-Type, X-Lode-Public";
    private static final String METHODS = "GET, HEAD, PUT, POST, DELETE, OPTIONS";

    private final ServerContext server;
    private final HttpHandler http;
    private final ResponseWriter writer;
    private final TenantRoutes tenantRoutes;

    Routes(ServerContext server, HttpHandler http, ResponseWriter writer) {
        this.server = server;
        this.http = http;
        this.writer = writer;
        this.tenantRoutes = new TenantRoutes(server, http, this);
    }

    void route(Exchange ex) {
        if (ex.method.equals(HttpMethod.OPTIONS)) {
            preflight(ex);
            return;
        }
        List<String> s = ex.segments;
        String first = s.get(0);
        switch (first) {
            case "healthz" -> {
                if (s.size() == 1 && ex.isGetOrHead()) {
                    http.reply(ex, new Reply.Json(200, Map.of("status", server.shuttingDown() ? "stopping" : "ok")));
                } else {
                    notFoundOrMethod(ex, s.size() == 1, "GET, HEAD");
                }
            }
            case "metrics" -> {
                if (s.size() == 1 && ex.isGetOrHead()) {
                    http.offload(ex, this::metrics);
                } else {
                    notFoundOrMethod(ex, s.size() == 1, "GET, HEAD");
                }
            }
            case "assets" -> {
                if (s.size() == 2) {
                    assets(ex, s.get(1));
                } else {
                    http.reply(ex, Reply.error(404, "Not found"));
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
            default -> http.reply(ex, Reply.error(404, "Not found"));
        }
    }

    private void notFoundOrMethod(Exchange ex, boolean pathExists, String allow) {
        if (pathExists) {
            http.reply(ex, new Reply.Json(405, Map.of("error", "Method not allowed"), Map.of("Allow", allow)));
        } else {
            http.reply(ex, Reply.error(404, "Not found"));
        }
    }

    private void preflight(Exchange ex) {
        Map<String, String> h = new LinkedHashMap<>();
        if (ex.origin != null && ex.header(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD) != null) {
            if (writer.allowedOrigin(ex.origin) == null) {
                http.reply(ex, Reply.error(403, "Origin not allowed"));
                return;
            }
            h.put("Access-Control-Allow-Methods", METHODS);
            h.put("Access-Control-Allow-Headers", ALLOW_HEADERS);
            h.put("Access-Control-Max-Age", "86400");
        }
        h.put("Allow", METHODS);
        http.reply(ex, new Reply.Json(204, null, h));
    }

    private Reply metrics() {
        String text = server.metrics()
                .render(
                        server.served().usage(),
                        server.localStore() ? server.stores().shared()::stats : null,
                        server.plugins() == null ? 0 : server.plugins().all().size());
        return new Reply.Json(200, new ResponseWriter.RawText(text, "text/plain; version=0.0.4; charset=utf-8"));
    }

    // ---------------------------------------------------------------- /assets

    private void assets(Exchange ex, String id) {
        if (!AssetService.ID.matcher(id).matches()) {
            http.reply(ex, Reply.error(400, "Bad asset id"));
            return;
        }
        if (ex.isGetOrHead()) {
            // The hot path (a cached record) never leaves the event loop; a catalog lookup or a
            // staging fetch runs on a virtual thread.
            var cached = server.assets().cached(id);
            if (cached.isPresent()) {
                Reply reply = new Reply.Body(assetRepresentation(ex, cached.get()));
                if (server.smallObjects().needsWarming(reply)) {
                    http.offload(ex, () -> reply); // read into memory off the loop
                } else {
                    http.reply(ex, reply);
                }
                return;
            }
            http.offload(ex, () -> {
                var found = server.assets().find(id);
                if (found.isPresent()) {
                    return new Reply.Body(assetRepresentation(ex, found.get()));
                }
                if (!server.assets().stagingEnabled()) {
                    return Reply.error(404, "Asset not found");
                }
                try {
                    return new Reply.Body(
                            assetRepresentation(ex, server.assets().stage(id).join()));
                } catch (CompletionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : e;
                }
            });
        } else if (ex.method.equals(HttpMethod.PUT)) {
            if (!checkAdmin(ex)) {
                return;
            }
            String type = mediaTypeFor(ex, id);
            http.streamBody(ex, in -> {
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
            http.offload(
                    ex,
                    () -> server.assets().delete(id).isPresent()
                            ? new Reply.Json(204, null)
                            : Reply.error(404, "Asset not found"));
        } else {
            http.reply(
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
        return encodedRepresentation(ex, server.assets().store(), a.objectId(), a.size(), a.mediaType(), ONE_YEAR);
    }

    /** The identity or a precomputed compressed representation of an object, by Accept-Encoding. */
    Representation encodedRepresentation(
            Exchange ex, ObjectStore store, ObjectId id, long size, String mediaType, String cache) {
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
                                    new Representation.Source.StoreObject(store, v.encodedId()),
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
                new Representation.Source.StoreObject(store, id),
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
            http.reply(ex, Reply.error(403, "Writes are disabled: the server has no admin key"));
            return false;
        }
        String given = ex.bearer();
        if (given == null
                || !MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            http.reply(
                    ex,
                    new Reply.Json(401, Map.of("error", "Admin key required"), Map.of("WWW-Authenticate", "Bearer")));
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- /objects and /plugins

    private void object(Exchange ex, String hex) {
        if (!ObjectId.isValid(hex)) {
            http.reply(ex, Reply.error(400, "Bad object id: expected 64 lowercase hex digits"));
            return;
        }
        ObjectId id = ObjectId.parse(hex);
        Optional<ObjectStore> known = server.assets().knownPublic(id);
        if (known.isPresent() && server.localStore()) {
            http.reply(ex, objectReply(known.get(), id));
        } else {
            http.offload(
                    ex,
                    () -> server.assets()
                            .publicObject(id)
                            .map(store -> objectReply(store, id))
                            .orElseGet(() -> Reply.error(404, "Object not found")));
        }
    }

    private Reply objectReply(ObjectStore store, ObjectId id) {
        var size = store.size(id);
        if (size.isEmpty()) {
            return Reply.error(404, "Object not found");
        }
        return new Reply.Body(new Representation(
                new Representation.Source.StoreObject(store, id),
                size.getAsLong(),
                "application/octet-stream",
                EntityTags.strong(id.hex()),
                null,
                IMMUTABLE,
                false));
    }

    private void plugin(Exchange ex, String pluginId, String name) {
        PluginRegistry reg = server.plugins();
        Plugin p = reg == null ? null : reg.find(pluginId).orElse(null);
        if (p == null) {
            http.reply(ex, Reply.error(404, "Plugin not found"));
            return;
        }
        if (name.equals("manifest")) {
            http.reply(
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
            http.reply(
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
            http.reply(ex, Reply.error(404, "Plugin file not found"));
        }
    }
}
