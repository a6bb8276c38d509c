package dev.lode.client;

import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The realtime prefetch packet {@code AssetManifest {pluginId, url, sha256, minVersion}} (seed 000,
 * AT-3): sent once to each client after a plugin is hot-loaded or its version bumps, so the client
 * can fetch the bundle over the HTTP side channel before it is needed.
 *
 * <p>Wire form, at most {@value #MAX_BYTES} bytes:
 *
 * <pre>
 *   magic       1 byte    0x4C ('L')
 *   version     1 byte    1
 *   pluginId    varint    unsigned LEB128, at most 2^53
 *   sha256      32 bytes  raw hash of the bundle zip
 *   minVersion  1 byte length + UTF-8 (0 length = none)
 *   url         1 byte length + UTF-8, an http or https URL of the plugin's manifest
 * </pre>
 *
 * A URL that does not fit is an error at encode time, never a truncation. {@link #decode} is
 * strict: wrong magic or version, short or long packets, bad UTF-8 and bad URLs are
 * {@link FormatException}s that say what is wrong.
 *
 * @param pluginId the plugin
 * @param url where its manifest is served
 * @param sha256 the bundle zip's hash
 * @param minVersion the oldest plugin version gameplay may run with, or null
 */
public record AssetManifestPacket(long pluginId, URI url, ObjectId sha256, String minVersion) {
    /** Largest encoded packet. */
    public static final int MAX_BYTES = 128;

    static final byte MAGIC = 0x4C;
    static final byte VERSION = 1;
    static final long MAX_PLUGIN_ID = 1L << 53;

    public AssetManifestPacket {
        if (pluginId < 0 || pluginId > MAX_PLUGIN_ID) {
            throw new IllegalArgumentException("plugin id out of range: " + pluginId);
        }
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(sha256, "sha256");
        String scheme = url.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
            throw new IllegalArgumentException("packet url must be an absolute http(s) URL, got " + url);
        }
        if (minVersion != null && minVersion.isEmpty()) {
            minVersion = null;
        }
    }

    /** The encoded packet. */
    public byte[] encode() {
        byte[] u = url.toString().getBytes(StandardCharsets.UTF_8);
        byte[] mv = minVersion == null ? new byte[0] : minVersion.getBytes(StandardCharsets.UTF_8);
        int idLen = varintLength(pluginId);
        int size = 2 + idLen + 32 + 1 + mv.length + 1 + u.length;
        if (mv.length > 255) {
            throw new IllegalArgumentException("minVersion too long for a packet: " + mv.length + " bytes");
        }
        if (size > MAX_BYTES || u.length > 255) {
            int room = MAX_BYTES - (size - u.length);
            throw new IllegalArgumentException("url of " + u.length + " bytes does not fit in a " + MAX_BYTES
                    + "-byte packet (room for " + Math.max(room, 0) + "): " + url);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(MAGIC).put(VERSION);
        long v = pluginId;
        while ((v & ~0x7FL) != 0) {
            b.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        b.put((byte) v);
        b.put(sha256.toBytes());
        b.put((byte) mv.length).put(mv);
        b.put((byte) u.length).put(u);
        return b.array();
    }

    /** Decodes a packet, rejecting anything malformed with a {@link FormatException}. */
    public static AssetManifestPacket decode(byte[] data) {
        return decode(data, 0, data.length);
    }

    /** Decodes {@code len} bytes of {@code data} from {@code off}. */
    public static AssetManifestPacket decode(byte[] data, int off, int len) {
        if (len > MAX_BYTES) {
            throw new FormatException("asset manifest packet too long: " + len + " bytes (max " + MAX_BYTES + ")");
        }
        Reader r = new Reader(data, off, len);
        byte magic = r.u8("magic");
        if (magic != MAGIC) {
            throw new FormatException(String.format("not an asset manifest packet: magic 0x%02x", magic & 0xFF));
        }
        byte version = r.u8("version");
        if (version != VERSION) {
            throw new FormatException("unsupported asset manifest packet version " + (version & 0xFF));
        }
        long id = r.varint("pluginId");
        if (id > MAX_PLUGIN_ID) {
            throw new FormatException("packet plugin id out of range: " + id);
        }
        ObjectId sha = ObjectId.ofDigest(r.bytes(32, "sha256"));
        String mv = r.string("minVersion");
        String url = r.string("url");
        if (r.remaining() != 0) {
            throw new FormatException("asset manifest packet has " + r.remaining() + " trailing bytes");
        }
        if (url.isEmpty()) {
            throw new FormatException("asset manifest packet has an empty url");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new FormatException("asset manifest packet has a malformed url: " + e.getMessage(), e);
        }
        try {
            return new AssetManifestPacket(id, uri, sha, mv.isEmpty() ? null : mv);
        } catch (IllegalArgumentException e) {
            throw new FormatException("bad asset manifest packet: " + e.getMessage(), e);
        }
    }

    private static int varintLength(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    /** Bounds-checked reads that fail with a message naming the field. */
    private static final class Reader {
        private final byte[] data;
        private final int end;
        private int pos;

        Reader(byte[] data, int off, int len) {
            Objects.checkFromIndexSize(off, len, data.length);
            this.data = data;
            this.pos = off;
            this.end = off + len;
        }

        int remaining() {
            return end - pos;
        }

        byte u8(String field) {
            if (pos >= end) {
                throw short_(field);
            }
            return data[pos++];
        }

        long varint(String field) {
            long result = 0;
            for (int shift = 0; shift <= 56; shift += 7) {
                int b = u8(field) & 0xFF;
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new FormatException("asset manifest packet: " + field + " varint too long");
        }

        byte[] bytes(int n, String field) {
            if (end - pos < n) {
                throw short_(field);
            }
            byte[] out = new byte[n];
            System.arraycopy(data, pos, out, 0, n);
            pos += n;
            return out;
        }

        String string(String field) {
            int n = u8(field) & 0xFF;
            byte[] b = bytes(n, field);
            try {
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new FormatException("asset manifest packet: " + field + " is not valid UTF-8", e);
            }
        }

        private FormatException short_(String field) {
            return new FormatException("asset manifest packet too short: truncated in " + field + " at byte " + pos);
        }
    }
}
