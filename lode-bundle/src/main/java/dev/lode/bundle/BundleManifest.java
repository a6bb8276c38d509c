package dev.lode.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import dev.lode.core.SafePaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of a plugin bundle ({@code plugins/<name>/manifest}): the plugin's id and
 * versions, the zip it ships and every file in that zip.
 *
 * <p>{@link #toJson()} writes one canonical form (fixed key order, two-space indent, one file per
 * line, {@code \n} line ends, a final newline), so the same bundle always gives the same bytes
 * and a signature over those bytes is stable. {@link #parse} is strict: unknown, duplicate or
 * missing fields, wrong types, unsafe or repeated paths and malformed hashes are
 * {@link FormatException}s naming the field. See docs/bundle-format.md.
 *
 * @param pluginId the plugin's numeric id (0 .. 2^53)
 * @param version the plugin's version, e.g. {@code 1.0.3}
 * @param minVersion oldest client-side version that may run with this bundle, or null
 * @param bundle the zip this manifest describes
 * @param files the zip's files, in zip order (sorted by the UTF-8 bytes of their paths)
 */
public record BundleManifest(
        long pluginId, String version, String minVersion, BundleRef bundle, List<BundleFile> files) {
    /** Versions: a letter or digit, then letters, digits, {@code . _ + -}; at most 64 characters. */
    public static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._+-]{0,63}");

    /** Largest plugin id: JSON numbers stay exact in every reader (2^53). */
    public static final long MAX_PLUGIN_ID = 1L << 53;

    /** Largest manifest accepted by {@link #parse}, in bytes. */
    public static final int MAX_BYTES = 64 << 20;

    // Jackson's streaming parser, not its ObjectMapper: a game client parses one manifest per
    // pull, and setting up databind cost ~80 ms of its start-up. The small tree below is all the
    // validation needs.
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();
    private static final Object JSON_NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    public BundleManifest {
        checkPluginId(pluginId);
        checkVersion("version", version);
        if (minVersion != null) {
            checkVersion("minVersion", minVersion);
        }
        Objects.requireNonNull(bundle, "bundle");
        files = List.copyOf(files);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("a bundle has at least one file");
        }
        Set<String> seen = new HashSet<>();
        for (BundleFile f : files) {
            if (!seen.add(f.path())) {
                throw new IllegalArgumentException("file listed twice: " + f.path());
            }
        }
    }

    /** Throws unless {@code id} is a valid plugin id. */
    public static void checkPluginId(long id) {
        if (id < 0 || id > MAX_PLUGIN_ID) {
            throw new IllegalArgumentException("plugin id " + id + " is outside 0.." + MAX_PLUGIN_ID);
        }
    }

    /** Throws unless {@code v} is a valid version string. */
    public static void checkVersion(String field, String v) {
        if (v == null || !VERSION.matcher(v).matches()) {
            throw new IllegalArgumentException(field + " '" + v + "' is not a version (letters, digits, . _ + -;"
                    + " starting with a letter or digit; at most 64 characters)");
        }
    }

    /** Total bytes of all files. */
    public long totalSize() {
        long t = 0;
        for (BundleFile f : files) {
            t += f.size();
        }
        return t;
    }

    /** The canonical JSON bytes (UTF-8). */
    public byte[] toJson() {
        StringBuilder s = new StringBuilder(256 + files.size() * 128);
        s.append("{\n");
        s.append("  \"pluginId\": ").append(pluginId).append(",\n");
        s.append("  \"version\": ").append(quote(version)).append(",\n");
        if (minVersion != null) {
            s.append("  \"minVersion\": ").append(quote(minVersion)).append(",\n");
        }
        s.append("  \"bundle\": {\"name\": ")
                .append(quote(bundle.name()))
                .append(", \"size\": ")
                .append(bundle.size())
                .append(", \"sha256\": ")
                .append(quote(bundle.sha256().hex()))
                .append("},\n");
        s.append("  \"files\": [\n");
        for (int i = 0; i < files.size(); i++) {
            BundleFile f = files.get(i);
            s.append("    {\"path\": ")
                    .append(quote(f.path()))
                    .append(", \"size\": ")
                    .append(f.size())
                    .append(", \"sha256\": ")
                    .append(quote(f.sha256().hex()))
                    .append(i + 1 < files.size() ? "},\n" : "}\n");
        }
        s.append("  ]\n}\n");
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses manifest bytes strictly. */
    public static BundleManifest parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new FormatException("manifest: larger than " + MAX_BYTES + " bytes");
        }
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new FormatException("manifest: not valid JSON: no content");
            }
            Object root = value(p, first, 0);
            if (p.nextToken() != null) {
                throw new FormatException("manifest: not valid JSON: trailing content after the manifest object");
            }
            return fromTree(root);
        } catch (JsonProcessingException e) {
            throw new FormatException("manifest: not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a manifest from a stream (read fully, at most {@link #MAX_BYTES}); does not close it. */
    public static BundleManifest parse(InputStream in) {
        try {
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            return parse(b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read manifest: " + e.getMessage(), e);
        }
    }

    /** Reads one JSON value starting at {@code t}: a map, list, string, integer, decimal, boolean or null. */
    private static Object value(JsonParser p, JsonToken t, int depth) throws IOException {
        if (depth > 16) {
            throw new FormatException("manifest: nested deeper than 16 levels");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken(), depth + 1));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
                    l.add(value(p, n, depth + 1));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getBigIntegerValue();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> JSON_NULL;
            default -> throw new FormatException("manifest: not valid JSON: unexpected " + t);
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v) {
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static BundleManifest fromTree(Object rootValue) {
        Map<String, Object> root = object(rootValue);
        if (root == null) {
            throw new FormatException("manifest: expected a JSON object");
        }
        onlyFields(root, "manifest", Set.of("pluginId", "version", "minVersion", "bundle", "files"));
        long pluginId = longField(root, "pluginId", "manifest");
        String version = stringField(root, "version", "manifest");
        Object mv = root.get("minVersion");
        String minVersion = null;
        if (mv != null) {
            minVersion = stringField(root, "minVersion", "manifest");
        }
        Map<String, Object> b = object(root.get("bundle"));
        if (b == null) {
            throw new FormatException("manifest: field 'bundle' must be an object");
        }
        onlyFields(b, "bundle", Set.of("name", "size", "sha256"));
        BundleRef ref;
        try {
            ref = new BundleRef(
                    stringField(b, "name", "bundle"), longField(b, "size", "bundle"), idField(b, "sha256", "bundle"));
        } catch (IllegalArgumentException e) {
            throw new FormatException("manifest: " + e.getMessage());
        }
        if (!(root.get("files") instanceof List<?> fs)) {
            throw new FormatException("manifest: field 'files' must be an array");
        }
        List<BundleFile> files = new ArrayList<>(fs.size());
        for (int i = 0; i < fs.size(); i++) {
            Map<String, Object> f = object(fs.get(i));
            String where = "files[" + i + "]";
            if (f == null) {
                throw new FormatException("manifest: " + where + " must be an object");
            }
            onlyFields(f, where, Set.of("path", "size", "sha256"));
            String path = stringField(f, "path", where);
            try {
                SafePaths.checkRelative(path);
            } catch (SafePaths.UnsafePathException e) {
                throw new FormatException("manifest: " + where + ": " + e.getMessage());
            }
            files.add(new BundleFile(path, longField(f, "size", where), idField(f, "sha256", where)));
        }
        try {
            return new BundleManifest(pluginId, version, minVersion, ref, files);
        } catch (IllegalArgumentException e) {
            throw new FormatException("manifest: " + e.getMessage());
        }
    }

    private static void onlyFields(Map<String, Object> node, String where, Set<String> allowed) {
        for (String name : node.keySet()) {
            if (!allowed.contains(name)) {
                throw new FormatException("manifest: unknown field '" + name + "' in " + where);
            }
        }
    }

    private static Object required(Map<String, Object> node, String field, String where) {
        Object v = node.get(field);
        if (v == null || v == JSON_NULL) {
            throw new FormatException("manifest: missing field '" + field + "' in " + where);
        }
        return v;
    }

    private static long longField(Map<String, Object> node, String field, String where) {
        Object v = required(node, field, where);
        if (!(v instanceof BigInteger i) || i.signum() < 0 || i.bitLength() > 63) {
            throw new FormatException(
                    "manifest: field '" + field + "' in " + where + " must be a non-negative integer, got " + v);
        }
        return i.longValue();
    }

    private static String stringField(Map<String, Object> node, String field, String where) {
        Object v = required(node, field, where);
        if (!(v instanceof String text)) {
            throw new FormatException("manifest: field '" + field + "' in " + where + " must be a string, got " + v);
        }
        return text;
    }

    private static ObjectId idField(Map<String, Object> node, String field, String where) {
        String s = stringField(node, field, where);
        if (!ObjectId.isValid(s)) {
            throw new FormatException(
                    "manifest: field '" + field + "' in " + where + " is not 64 lowercase hex digits: '" + s + "'");
        }
        return ObjectId.parse(s);
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
