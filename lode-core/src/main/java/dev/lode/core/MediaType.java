package dev.lode.core;

/**
 * A media type as served in {@code Content-Type}, and whether compressing it is worth the work.
 *
 * @param mime the type, e.g. {@code model/gltf-binary}
 * @param compressible true for text-like formats; false for formats that are already compressed
 */
public record MediaType(String mime, boolean compressible) {
    /** The type of bytes nobody has described. */
    public static final MediaType OCTET_STREAM = new MediaType("application/octet-stream", false);

    public MediaType {
        if (mime == null || mime.isBlank() || mime.indexOf('/') <= 0) {
            throw new IllegalArgumentException("not a media type: '" + mime + "'");
        }
    }

    /** Whether this is a textual type (served with a charset). */
    public boolean isText() {
        return mime.startsWith("text/") || mime.equals("application/json") || mime.endsWith("+json");
    }
}
