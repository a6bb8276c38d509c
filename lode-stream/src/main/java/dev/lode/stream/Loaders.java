package dev.lode.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.core.FormatException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** The loaders lode ships: raw bytes, images through ImageIO, and glTF/GLB structure. */
public final class Loaders {
    private Loaders() {}

    /** Hands out the decompressed bytes as they are. */
    public static AssetLoader<byte[]> raw() {
        return RawLoader.INSTANCE;
    }

    /** Decodes PNG, JPEG, BMP, GIF (and whatever ImageIO plug-ins are present) into a BufferedImage. */
    public static AssetLoader<BufferedImage> image() {
        return ImageLoader.INSTANCE;
    }

    /** Reads a GLB container or .gltf JSON into a {@link GltfInfo}. */
    public static AssetLoader<GltfInfo> gltf() {
        return GltfLoader.INSTANCE;
    }

    private enum RawLoader implements AssetLoader<byte[]> {
        INSTANCE;

        @Override
        public byte[] load(CatalogEntry entry, byte[] data) {
            return data;
        }

        @Override
        public long footprint(byte[] value) {
            return value.length;
        }

        @Override
        public byte[] placeholder(CatalogEntry entry) {
            return new byte[0];
        }
    }

    private enum ImageLoader implements AssetLoader<BufferedImage> {
        INSTANCE;

        @Override
        public BufferedImage load(CatalogEntry entry, byte[] data) {
            try {
                BufferedImage img = ImageIO.read(new ByteArrayInputStream(data));
                if (img == null) {
                    throw new FormatException(
                            "no ImageIO reader understands " + entry.path() + " (" + entry.type() + ")");
                }
                return img;
            } catch (IOException | RuntimeException e) {
                if (e instanceof FormatException fe) {
                    throw fe;
                }
                throw new FormatException("cannot decode image " + entry.path() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public long footprint(BufferedImage value) {
            return 4L * value.getWidth() * value.getHeight();
        }

        @Override
        public BufferedImage placeholder(CatalogEntry entry) {
            BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
            img.setRGB(0, 0, 0xFFFF00FF);
            return img;
        }

        @Override
        public boolean gpuResident() {
            return true;
        }
    }

    /**
     * Parses the GLB header and JSON chunk with Jackson (12-byte header "glTF", version 2, length;
     * then chunks of length + type). Written here rather than pulling in jgltf-model because only
     * the structure is needed, not the vertex data, and this keeps the dependency set small.
     */
    private enum GltfLoader implements AssetLoader<GltfInfo> {
        INSTANCE;

        private static final ObjectMapper JSON = new ObjectMapper();
        private static final int GLB_MAGIC = 0x46546C67;
        private static final int CHUNK_JSON = 0x4E4F534A;
        private static final int CHUNK_BIN = 0x004E4942;

        @Override
        public GltfInfo load(CatalogEntry entry, byte[] data) {
            String what = entry.path();
            if (data.length >= 4
                    && ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == GLB_MAGIC) {
                return glb(what, data);
            }
            return info(what, parse(what, data, 0, data.length), 0, data.length);
        }

        private GltfInfo glb(String what, byte[] data) {
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            if (data.length < 20) {
                throw new FormatException("GLB " + what + " is shorter than its header");
            }
            int version = b.getInt(4);
            long length = Integer.toUnsignedLong(b.getInt(8));
            if (version != 2) {
                throw new FormatException("GLB " + what + " has version " + version + ", only 2 is supported");
            }
            if (length != data.length) {
                throw new FormatException("GLB " + what + " header says " + length + " bytes, file has " + data.length);
            }
            int pos = 12;
            JsonNode json = null;
            long bin = 0;
            while (pos + 8 <= data.length) {
                long chunkLen = Integer.toUnsignedLong(b.getInt(pos));
                int type = b.getInt(pos + 4);
                if (chunkLen > data.length - pos - 8L) {
                    throw new FormatException("GLB " + what + " chunk at " + pos + " overruns the file");
                }
                if (type == CHUNK_JSON && json == null) {
                    json = parse(what, data, pos + 8, (int) chunkLen);
                } else if (type == CHUNK_BIN) {
                    bin += chunkLen;
                }
                pos += 8 + (int) chunkLen;
            }
            if (json == null) {
                throw new FormatException("GLB " + what + " has no JSON chunk");
            }
            return info(what, json, bin, data.length);
        }

        private static JsonNode parse(String what, byte[] data, int off, int len) {
            try {
                JsonNode node = JSON.readTree(new String(data, off, len, StandardCharsets.UTF_8));
                if (node == null || !node.isObject()) {
                    throw new FormatException("glTF " + what + " JSON is not an object");
                }
                return node;
            } catch (IOException e) {
                throw new FormatException("glTF " + what + " has bad JSON: " + e.getMessage(), e);
            }
        }

        private static GltfInfo info(String what, JsonNode json, long bin, long length) {
            JsonNode asset = json.path("asset");
            if (!asset.isObject() || !asset.path("version").isTextual()) {
                throw new FormatException("glTF " + what + " lacks asset.version");
            }
            List<String> uris = new ArrayList<>();
            for (String arr : List.of("buffers", "images")) {
                for (JsonNode n : json.path(arr)) {
                    String uri = n.path("uri").asText("");
                    if (!uri.isEmpty() && !uri.startsWith("data:")) {
                        uris.add(uri);
                    }
                }
            }
            return new GltfInfo(
                    asset.path("generator").asText(""),
                    asset.path("version").asText(),
                    json.path("scenes").size(),
                    json.path("nodes").size(),
                    json.path("meshes").size(),
                    json.path("materials").size(),
                    json.path("textures").size(),
                    json.path("accessors").size(),
                    bin,
                    uris,
                    length);
        }

        @Override
        public long footprint(GltfInfo value) {
            return value.byteLength();
        }

        @Override
        public GltfInfo placeholder(CatalogEntry entry) {
            return new GltfInfo("lode placeholder", "2.0", 0, 0, 0, 0, 0, 0, 0, List.of(), 0);
        }

        @Override
        public boolean gpuResident() {
            return true;
        }
    }
}
