package dev.lode.catalog;

import java.util.regex.Pattern;

/**
 * The address of a tenant artifact. Run and file name are single URL path segments of safe
 * characters (letters, digits, {@code . _ -}), never {@code .} or {@code ..}.
 *
 * @param tenant the owning tenant
 * @param run the run (a build, a job) it belongs to
 * @param type its artifact type
 * @param filename its file name
 */
public record TenantAssetKey(String tenant, String run, ArtifactType type, String filename) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");

    public TenantAssetKey {
        Tenant.checkName(tenant);
        checkSegment("run", run);
        checkSegment("file name", filename);
        if (type == null) {
            throw new IllegalArgumentException("artifact type missing");
        }
    }

    private static void checkSegment(String what, String s) {
        if (s == null || !SEGMENT.matcher(s).matches()) {
            throw new IllegalArgumentException(
                    "bad " + what + " '" + s + "': use letters, digits, '.', '_' or '-', not starting with '.'");
        }
    }

    /** The path below the server root: {@code /t/tenant/run/type/filename}. */
    public String path() {
        return "/t/" + tenant + "/" + run + "/" + type.token() + "/" + filename;
    }

    /** The path relative to the tenant: {@code run/type/filename}. */
    public String relative() {
        return run + "/" + type.token() + "/" + filename;
    }

    /** Parses {@code run/type/filename} for {@code tenant}. */
    public static TenantAssetKey parse(String tenant, String relative) {
        String[] p = relative.split("/", -1);
        if (p.length != 3) {
            throw new IllegalArgumentException("expected RUN/TYPE/FILE, got '" + relative + "'");
        }
        ArtifactType t = ArtifactType.ofToken(p[1])
                .orElseThrow(() -> new IllegalArgumentException("unknown artifact type '" + p[1]
                        + "' (image, video, audio, bundle, model_3d, texture, environment_map, shader)"));
        return new TenantAssetKey(tenant, p[0], t, p[2]);
    }
}
