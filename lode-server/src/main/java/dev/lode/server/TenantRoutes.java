package dev.lode.server;

import dev.lode.catalog.Tenant;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.catalog.UploadPart;
import dev.lode.catalog.UploadRecord;
import dev.lode.catalog.UploadState;
import dev.lode.core.DirectUrls;
import dev.lode.core.MediaTypes;
import dev.lode.core.ObjectId;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tenant endpoints under {@code /t/{tenant}/}: artifact reads and uploads, multipart uploads,
 * upload status (with long poll) and presigning. Access: the tenant's bearer key, a presigned URL
 * for that exact path, or nothing for a public artifact; a key of another tenant never works.
 */
final class TenantRoutes {
    private static final String PRIVATE_CACHE = "private, no-cache";
    private static final String PUBLIC_CACHE = "public, max-age=300";

    private final ServerContext server;
    private final HttpHandler http;
    private final Routes routes;

    TenantRoutes(ServerContext server, HttpHandler http, Routes routes) {
        this.server = server;
        this.http = http;
        this.routes = routes;
    }

    /** Outcome of checking a request's credentials against the tenant in its path. */
    private sealed interface Access {
        record Anonymous() implements Access {}

        record Granted() implements Access {}

        record Denied(int status, String message) implements Access {}
    }

    void route(Exchange ex) {
        List<String> s = ex.segments;
        if (s.size() < 3) {
            http.reply(ex, Reply.error(404, "Not found"));
            return;
        }
        String tenant = s.get(1);
        try {
            Tenant.checkName(tenant);
        } catch (IllegalArgumentException e) {
            http.reply(ex, Reply.error(400, e.getMessage()));
            return;
        }
        if (s.size() == 3 && s.get(2).equals("presign")) {
            requirePost(ex, () -> presign(ex, tenant));
        } else if (s.get(2).equals("uploads") && s.size() == 3) {
            latestUpload(ex, tenant);
        } else if (s.get(2).equals("uploads") && s.size() >= 4) {
            uploads(ex, tenant, s);
        } else if (s.size() == 5) {
            artifact(ex, tenant, s.get(2) + "/" + s.get(3) + "/" + s.get(4));
        } else {
            http.reply(ex, Reply.error(404, "Not found"));
        }
    }

    private void requirePost(Exchange ex, Runnable action) {
        if (ex.method.equals(HttpMethod.POST)) {
            action.run();
        } else {
            http.reply(ex, new Reply.Json(405, Map.of("error", "Method not allowed"), Map.of("Allow", "POST")));
        }
    }

    private Access access(Exchange ex, String tenant, boolean allowSignature) {
        String key = ex.bearer();
        if (key != null) {
            Optional<String> owner = server.catalog().tenants().authenticate(key);
            if (owner.isEmpty()) {
                return new Access.Denied(401, "Invalid or revoked API key");
            }
            return owner.get().equals(tenant)
                    ? new Access.Granted()
                    : new Access.Denied(403, "This key belongs to another tenant");
        }
        String sig = ex.param("sig");
        if (sig != null || ex.param("expires") != null) {
            if (!allowSignature) {
                return new Access.Denied(403, "Presigned URLs only read");
            }
            Optional<byte[]> secret = server.catalog().tenants().signingSecret(tenant);
            boolean ok = secret.isPresent()
                    && Presigner.verify(
                            secret.get(), ex.method.name(), ex.rawPath, ex.param("expires"), sig, Instant.now());
            return ok ? new Access.Granted() : new Access.Denied(403, "Signature invalid or expired");
        }
        return new Access.Anonymous();
    }

    private boolean keyOnly(Exchange ex, String tenant) {
        return switch (access(ex, tenant, false)) {
            case Access.Granted g -> true;
            case Access.Denied d -> {
                deny(ex, d);
                yield false;
            }
            case Access.Anonymous a -> {
                http.reply(
                        ex,
                        new Reply.Json(
                                401, Map.of("error", "Tenant API key required"), Map.of("WWW-Authenticate", "Bearer")));
                yield false;
            }
        };
    }

    private void deny(Exchange ex, Access.Denied d) {
        http.reply(ex, denial(d));
    }

    private static Reply denial(Access.Denied d) {
        return d.status() == 401
                ? new Reply.Json(401, Map.of("error", d.message()), Map.of("WWW-Authenticate", "Bearer"))
                : Reply.error(d.status(), d.message());
    }

    // ------------------------------------------------------------ artifacts

    private void artifact(Exchange ex, String tenant, String relative) {
        TenantAssetKey key = TenantAssetKey.parse(tenant, relative);
        if (ex.isGetOrHead()) {
            read(ex, key);
        } else if (ex.method.equals(HttpMethod.PUT)) {
            if (!keyOnly(ex, tenant)) {
                return;
            }
            boolean pub = isPublicFlag(ex);
            String type = MediaTypes.forPath(key.filename()).mime();
            String base = ex.baseUrl(server.tls());
            http.streamBody(ex, in -> {
                UploadRecord r = server.tenants().putSingle(key, pub, in, type);
                return new Reply.Json(r.deduplicated() ? 200 : 201, uploadJson(r, base));
            });
        } else if (ex.method.equals(HttpMethod.POST) && ex.hasParam("uploads")) {
            if (!keyOnly(ex, tenant)) {
                return;
            }
            boolean pub = isPublicFlag(ex);
            String base = ex.baseUrl(server.tls());
            http.offload(
                    ex, () -> new Reply.Json(201, uploadJson(server.tenants().start(key, pub), base)));
        } else {
            http.reply(
                    ex,
                    new Reply.Json(
                            405, Map.of("error", "Method not allowed"), Map.of("Allow", "GET, HEAD, PUT, POST")));
        }
    }

    private static boolean isPublicFlag(Exchange ex) {
        String h = ex.header("X-Lode-Public");
        String q = ex.param("public");
        return "true".equalsIgnoreCase(h) || "1".equals(h) || "true".equalsIgnoreCase(q) || "1".equals(q);
    }

    private void read(Exchange ex, TenantAssetKey key) {
        // Key and catalog lookups are SQLite reads: keep them off the event loop.
        http.offload(ex, () -> readReply(ex, key));
    }

    private Reply readReply(Exchange ex, TenantAssetKey key) {
        Access access = access(ex, key.tenant(), true);
        if (access instanceof Access.Denied d) {
            return denial(d);
        }
        Optional<TenantAsset> found = server.tenants().find(key);
        if (access instanceof Access.Anonymous) {
            if (found.isPresent() && found.get().isPublic()) {
                return representation(ex, found.get());
            }
            // Same answer for private and missing, so existence does not leak.
            return Reply.error(403, "Access denied: use the tenant's API key or a presigned URL");
        }
        return found.isEmpty() ? Reply.error(404, "Asset not found") : representation(ex, found.get());
    }

    private Reply representation(Exchange ex, TenantAsset a) {
        ex.servedTenant = a.key().tenant();
        return new Reply.Body(routes.encodedRepresentation(
                ex,
                server.stores().tenant(a.key().tenant()),
                a.objectId(),
                a.size(),
                a.mediaType(),
                a.isPublic() ? PUBLIC_CACHE : PRIVATE_CACHE));
    }

    // ------------------------------------------------------------ uploads

    private void uploads(Exchange ex, String tenant, List<String> s) {
        if (!keyOnly(ex, tenant)) {
            return;
        }
        String id = s.get(3);
        if (!id.matches("up_[0-9a-f]{32}")) {
            http.reply(ex, Reply.error(404, "No such upload"));
            return;
        }
        String base = ex.baseUrl(server.tls());
        if (s.size() == 4 && ex.method.equals(HttpMethod.GET)) {
            Duration wait = waitParam(ex);
            http.offload(
                    ex, () -> new Reply.Json(200, uploadJson(server.tenants().await(tenant, id, wait), base)));
        } else if (s.size() == 4 && ex.method.equals(HttpMethod.DELETE)) {
            http.offload(
                    ex, () -> new Reply.Json(200, uploadJson(server.tenants().abort(tenant, id), base)));
        } else if (s.size() == 5 && s.get(4).equals("complete")) {
            requirePost(
                    ex,
                    () -> http.offload(ex, () -> {
                        UploadRecord r = server.tenants().status(tenant, id);
                        String type = MediaTypes.forPath(r.key().filename()).mime();
                        return new Reply.Json(200, uploadJson(server.tenants().complete(tenant, id, type), base));
                    }));
        } else if (s.size() == 6 && s.get(4).equals("parts") && ex.method.equals(HttpMethod.PUT)) {
            int n;
            try {
                n = Integer.parseInt(s.get(5));
            } catch (NumberFormatException e) {
                http.reply(ex, Reply.error(400, "Bad part number '" + s.get(5) + "'"));
                return;
            }
            http.streamBody(ex, in -> {
                UploadPart p = server.tenants().putPart(tenant, id, n, in);
                return new Reply.Json(
                        200, Map.of("uploadId", id, "part", p.number(), "sha256", p.sha256(), "size", p.size()));
            });
        } else {
            http.reply(ex, Reply.error(404, "Not found"));
        }
    }

    /**
     * {@code GET /t/{tenant}/uploads?path=RUN/TYPE/FILE[&wait=S]}: the latest upload to a path,
     * waited on like {@code /uploads/{id}}, for a workflow step that knows the path but not the id
     * (a single streamed PUT only returns its id when it is done).
     */
    private void latestUpload(Exchange ex, String tenant) {
        if (!ex.method.equals(HttpMethod.GET)) {
            http.reply(ex, new Reply.Json(405, Map.of("error", "Method not allowed"), Map.of("Allow", "GET")));
            return;
        }
        if (!keyOnly(ex, tenant)) {
            return;
        }
        String path = ex.param("path");
        if (path == null) {
            http.reply(ex, Reply.error(400, "uploads needs ?path=RUN/TYPE/FILE"));
            return;
        }
        TenantAssetKey key = TenantAssetKey.parse(tenant, path);
        Duration wait = waitParam(ex);
        String base = ex.baseUrl(server.tls());
        http.offload(
                ex,
                () -> server.catalog()
                        .uploads()
                        .latest(key)
                        .map(u -> (Reply) new Reply.Json(
                                200, uploadJson(server.tenants().await(tenant, u.uploadId(), wait), base)))
                        .orElseGet(() -> Reply.error(404, "No upload to " + key.path())));
    }

    private Duration waitParam(Exchange ex) {
        String w = ex.param("wait");
        if (w == null) {
            return Duration.ZERO;
        }
        long secs;
        try {
            secs = Long.parseLong(w);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("wait must be whole seconds, got '" + w + "'");
        }
        if (secs < 0) {
            throw new IllegalArgumentException("wait must not be negative");
        }
        // Stay under the idle timeout, which would otherwise close the waiting connection.
        long max = Math.max(1, server.bodyReadTimeoutMillis() / 2000);
        return Duration.ofSeconds(Math.min(secs, max));
    }

    Map<String, Object> uploadJson(UploadRecord r, String base) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uploadId", r.uploadId());
        out.put("state", r.state().name().toLowerCase(java.util.Locale.ROOT));
        out.put("path", r.key().path());
        out.put("public", r.isPublic());
        if (r.state().isActive()) {
            out.put(
                    "parts",
                    server.catalog().uploads().parts(r.uploadId()).stream()
                            .map(p -> Map.of("part", p.number(), "size", p.size(), "sha256", p.sha256()))
                            .toList());
        }
        if (r.state() == UploadState.COMPLETE) {
            out.put("sha256", r.objectId().hex());
            out.put("size", r.size());
            out.put("deduplicated", r.deduplicated());
            out.put("storedNewBytes", r.deduplicated() ? 0 : r.size());
            out.put("url", urlFor(r.key(), r.objectId(), r.isPublic(), base));
        }
        if (r.error() != null) {
            out.put("error", r.error());
        }
        return out;
    }

    private String urlFor(TenantAssetKey key, ObjectId id, boolean isPublic, String base) {
        if (isPublic) {
            return server.cdnUrl(key, id).orElse(base + key.path());
        }
        byte[] secret = server.catalog().tenants().signingSecret(key.tenant()).orElseThrow();
        return Presigner.url(secret, base, key.path(), Presigner.DEFAULT_EXPIRY, Instant.now());
    }

    // ------------------------------------------------------------ presign

    private void presign(Exchange ex, String tenant) {
        if (!keyOnly(ex, tenant)) {
            return;
        }
        String path = ex.param("path");
        if (path == null) {
            http.reply(ex, Reply.error(400, "presign needs ?path=RUN/TYPE/FILE"));
            return;
        }
        TenantAssetKey key = TenantAssetKey.parse(tenant, path);
        Duration ttl = ex.param("expires") == null ? Presigner.DEFAULT_EXPIRY : Durations.parse(ex.param("expires"));
        Instant now = Instant.now();
        byte[] secret = server.catalog().tenants().signingSecret(tenant).orElseThrow();
        String base = ex.baseUrl(server.tls());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("url", Presigner.url(secret, base, key.path(), ttl, now));
        out.put("expires", now.plus(ttl).getEpochSecond());
        Optional<TenantAsset> a = server.tenants().find(key);
        if (a.isPresent() && a.get().isPublic()) {
            server.cdnUrl(key, a.get().objectId()).ifPresent(u -> out.put("cdnUrl", u));
        }
        if (a.isPresent() && server.stores().tenant(tenant) instanceof DirectUrls direct) {
            // Straight from the bucket, for clients that should not load the lode server.
            out.put("storeUrl", direct.presignGet(a.get().objectId(), ttl).toString());
        }
        http.reply(ex, new Reply.Json(200, out));
    }
}
