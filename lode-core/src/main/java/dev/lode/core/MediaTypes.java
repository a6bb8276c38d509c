package dev.lode.core;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps file extensions to media types: every type of seed 003 (images, video, audio, bundles, glTF,
 * KTX2, HDR/EXR environment maps, GLSL) plus common game formats. Unknown extensions are
 * {@code application/octet-stream}.
 */
public final class MediaTypes {
    private static final Map<String, MediaType> BY_EXTENSION = Map.ofEntries(
            // images and textures
            e("png", "image/png", false),
            e("jpg", "image/jpeg", false),
            e("jpeg", "image/jpeg", false),
            e("webp", "image/webp", false),
            e("gif", "image/gif", false),
            e("avif", "image/avif", false),
            e("ktx2", "image/ktx2", false),
            e("ktx", "image/ktx", false),
            e("basis", "image/basis", false),
            e("dds", "image/vnd-ms.dds", true),
            e("tga", "image/x-tga", true),
            e("svg", "image/svg+xml", true),
            // environment maps
            e("hdr", "image/vnd.radiance", true),
            e("exr", "image/x-exr", false),
            // video
            e("mp4", "video/mp4", false),
            e("webm", "video/webm", false),
            // audio
            e("mp3", "audio/mpeg", false),
            e("wav", "audio/wav", true),
            e("ogg", "audio/ogg", false),
            e("opus", "audio/ogg", false),
            e("flac", "audio/flac", false),
            // bundles and pages
            e("zip", "application/zip", false),
            e("html", "text/html", true),
            e("htm", "text/html", true),
            e("css", "text/css", true),
            e("js", "text/javascript", true),
            e("mjs", "text/javascript", true),
            e("wasm", "application/wasm", true),
            // 3D models
            e("glb", "model/gltf-binary", false),
            e("gltf", "model/gltf+json", true),
            e("bin", "application/octet-stream", true),
            e("obj", "model/obj", true),
            e("fbx", "application/octet-stream", true),
            // shaders
            e("glsl", "text/plain", true),
            e("vert", "text/plain", true),
            e("frag", "text/plain", true),
            e("comp", "text/plain", true),
            e("hlsl", "text/plain", true),
            e("wgsl", "text/plain", true),
            e("spv", "application/octet-stream", true),
            // data and text
            e("json", "application/json", true),
            e("txt", "text/plain", true),
            e("csv", "text/csv", true),
            e("xml", "application/xml", true),
            e("yaml", "application/yaml", true),
            e("yml", "application/yaml", true),
            e("lua", "text/plain", true),
            e("reds", "text/plain", true),
            // archives that are already compressed
            e("gz", "application/gzip", false),
            e("zst", "application/zstd", false),
            e("7z", "application/x-7z-compressed", false));

    /** Per MIME type: compressible only if every extension registered for it is. */
    private static final Map<String, Boolean> COMPRESSIBLE_BY_MIME = byMime();

    private MediaTypes() {}

    private static Map<String, Boolean> byMime() {
        java.util.HashMap<String, Boolean> m = new java.util.HashMap<>();
        m.put(MediaType.OCTET_STREAM.mime(), false);
        for (MediaType t : BY_EXTENSION.values()) {
            m.merge(t.mime(), t.compressible(), Boolean::logicalAnd);
        }
        return Map.copyOf(m);
    }

    private static Map.Entry<String, MediaType> e(String ext, String mime, boolean compressible) {
        return Map.entry(ext, new MediaType(mime, compressible));
    }

    /** The type for a file name or path, by its last extension; octet-stream when unknown. */
    public static MediaType forPath(String path) {
        return forExtension(extensionOf(path)).orElse(MediaType.OCTET_STREAM);
    }

    /** The type registered for an extension (without the dot, any case). */
    public static Optional<MediaType> forExtension(String extension) {
        if (extension == null || extension.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_EXTENSION.get(extension.toLowerCase(Locale.ROOT)));
    }

    /** Whether bytes of this MIME type are worth compressing (text yes; PNG, KTX2, GLB, MP4 no). */
    public static boolean isCompressible(String mime) {
        Boolean known = COMPRESSIBLE_BY_MIME.get(mime);
        if (known != null) {
            return known;
        }
        return mime.startsWith("text/") || mime.endsWith("+json") || mime.endsWith("/json");
    }

    private static String extensionOf(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        String name = path.substring(slash + 1);
        int dot = name.lastIndexOf('.');
        return dot <= 0 ? "" : name.substring(dot + 1);
    }
}
