package dev.lode.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical JSON form of a {@link Manifest}: compact, fields in a fixed order, entries sorted
 * by path, empty lists and maps left out, so equal manifests give equal bytes and ids.
 *
 * <pre>{"format":"lode.manifest/1","meta":{...},"entries":[
 *   {"path":"textures/a.ktx2","size":123,"sha256":"…","mediaType":"image/ktx2",
 *    "chunkMap":"…","tags":[…],"dependencies":[…],"variants":[…],"meta":{…}}, …]}</pre>
 *
 * Reading streams entry by entry and rejects unknown fields, wrong types and unsafe paths with a
 * {@link FormatException} that says where.
 */
public final class ManifestCodec {
    /** The value of the {@code format} field. */
    public static final String FORMAT = "lode.manifest/1";

    /** The media type of an encoded manifest. */
    public static final String MEDIA_TYPE = "application/vnd.lode.manifest+json";

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(1 << 20)
                    .maxNestingDepth(16)
                    .build())
            .build();

    private ManifestCodec() {}

    /** The canonical bytes of {@code manifest}. */
    public static byte[] encode(Manifest manifest) {
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(256 + manifest.entries().size() * 160);
        write(manifest, out);
        return out.toByteArray();
    }

    /** Writes the canonical bytes to {@code out} (does not close it). */
    public static void write(Manifest manifest, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            writeMap(g, "meta", manifest.meta());
            g.writeArrayFieldStart("entries");
            for (ManifestEntry e : manifest.entries()) {
                g.writeStartObject();
                g.writeStringField("path", e.path());
                g.writeNumberField("size", e.size());
                g.writeStringField("sha256", e.sha256().hex());
                g.writeStringField("mediaType", e.mediaType());
                if (e.chunkMap() != null) {
                    g.writeStringField("chunkMap", e.chunkMap().hex());
                }
                writeList(g, "tags", e.tags());
                writeList(g, "dependencies", e.dependencies());
                writeList(g, "variants", e.variants());
                writeMap(g, "meta", e.meta());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest", e);
        }
    }

    private static void writeList(JsonGenerator g, String name, List<String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void writeMap(JsonGenerator g, String name, Map<String, String> values) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** Parses manifest bytes. */
    public static Manifest decode(byte[] bytes) {
        try (JsonParser p = JSON.createParser(bytes)) {
            return read(p);
        } catch (IOException e) {
            throw bad(e);
        }
    }

    /** Parses a manifest from a stream (does not close it). */
    public static Manifest read(InputStream in) {
        try (JsonParser p = JSON.createParser(in)) {
            return read(p);
        } catch (IOException e) {
            throw bad(e);
        }
    }

    private static FormatException bad(IOException e) {
        if (e instanceof JsonProcessingException j) {
            return new FormatException(
                    "manifest is not valid JSON: " + j.getOriginalMessage()
                            + (j.getLocation() == null
                                    ? ""
                                    : " at byte " + j.getLocation().getByteOffset()),
                    e);
        }
        throw new UncheckedIOException("cannot read manifest", e);
    }

    private static Manifest read(JsonParser p) throws IOException {
        expect(p, p.nextToken(), JsonToken.START_OBJECT, "manifest");
        String format = null;
        Map<String, String> meta = Map.of();
        List<ManifestEntry> entries = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken t = p.nextToken();
            switch (field) {
                case "format" -> format = string(p, t, "format");
                case "meta" -> meta = readMap(p, t, "meta");
                case "entries" -> entries = readEntries(p, t);
                default -> throw new FormatException("manifest has unknown field '" + field + "'");
            }
        }
        expect(p, p.currentToken(), JsonToken.END_OBJECT, "manifest");
        if (p.nextToken() != null) {
            throw new FormatException("manifest has data after its closing brace");
        }
        if (!FORMAT.equals(format)) {
            throw new FormatException(
                    "manifest format must be '" + FORMAT + "', got " + (format == null ? "none" : "'" + format + "'"));
        }
        if (entries == null) {
            throw new FormatException("manifest has no 'entries'");
        }
        try {
            return Manifest.of(entries, meta);
        } catch (IllegalArgumentException e) {
            throw new FormatException("bad manifest: " + e.getMessage(), e);
        }
    }

    private static List<ManifestEntry> readEntries(JsonParser p, JsonToken t) throws IOException {
        expect(p, t, JsonToken.START_ARRAY, "entries");
        List<ManifestEntry> out = new ArrayList<>();
        JsonToken next;
        while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
            out.add(readEntry(p, next, out.size()));
        }
        return out;
    }

    private static ManifestEntry readEntry(JsonParser p, JsonToken t, int index) throws IOException {
        String where = "entries[" + index + "]";
        expect(p, t, JsonToken.START_OBJECT, where);
        String path = null;
        String mediaType = null;
        Long size = null;
        ObjectId sha = null;
        ObjectId chunkMap = null;
        List<String> tags = List.of();
        List<String> deps = List.of();
        List<String> variants = List.of();
        Map<String, String> meta = Map.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            String at = where + "." + field;
            switch (field) {
                case "path" -> path = string(p, v, at);
                case "size" -> {
                    if (v != JsonToken.VALUE_NUMBER_INT) {
                        throw new FormatException(at + " must be an integer");
                    }
                    long s = p.getLongValue();
                    if (s < 0) {
                        throw new FormatException(at + " must not be negative");
                    }
                    size = s;
                }
                case "sha256" -> sha = id(string(p, v, at), at);
                case "mediaType" -> mediaType = string(p, v, at);
                case "chunkMap" -> chunkMap = id(string(p, v, at), at);
                case "tags" -> tags = readList(p, v, at);
                case "dependencies" -> deps = readList(p, v, at);
                case "variants" -> variants = readList(p, v, at);
                case "meta" -> meta = readMap(p, v, at);
                default -> throw new FormatException(where + " has unknown field '" + field + "'");
            }
        }
        if (path == null || size == null || sha == null || mediaType == null) {
            throw new FormatException(where + " needs path, size, sha256 and mediaType");
        }
        try {
            return new ManifestEntry(path, size, sha, mediaType, chunkMap, tags, deps, variants, meta);
        } catch (SafePaths.UnsafePathException e) {
            throw new FormatException(where + ": " + e.getMessage(), e);
        }
    }

    private static ObjectId id(String s, String at) {
        if (!ObjectId.isValid(s)) {
            throw new FormatException(at + " is not a SHA-256 id (64 lowercase hex digits)");
        }
        return new ObjectId(s);
    }

    private static List<String> readList(JsonParser p, JsonToken t, String at) throws IOException {
        expect(p, t, JsonToken.START_ARRAY, at);
        List<String> out = new ArrayList<>();
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            out.add(string(p, v, at + "[" + out.size() + "]"));
        }
        return out;
    }

    private static Map<String, String> readMap(JsonParser p, JsonToken t, String at) throws IOException {
        expect(p, t, JsonToken.START_OBJECT, at);
        Map<String, String> out = new TreeMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            JsonToken v = p.nextToken();
            if (out.put(k, string(p, v, at + "." + k)) != null) {
                throw new FormatException(at + " has duplicate key '" + k + "'");
            }
        }
        return out;
    }

    private static String string(JsonParser p, JsonToken t, String at) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw new FormatException(at + " must be a string, got " + describe(t));
        }
        return p.getText();
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken wanted, String at) {
        if (actual != wanted) {
            throw new FormatException(at + " must be " + describe(wanted) + ", got " + describe(actual));
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }
}
