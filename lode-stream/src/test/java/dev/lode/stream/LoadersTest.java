package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.FormatException;
import dev.lode.core.Sha256;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class LoadersTest {
    static CatalogEntry entry(String path, String type, byte[] data) {
        return new CatalogEntry(
                0,
                Sha256.of(data),
                path,
                type,
                data.length,
                data.length,
                Compression.NONE,
                "",
                List.of(),
                List.of(),
                List.of(),
                null,
                data.length);
    }

    static byte[] png(int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(1, 1, 0x123456);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    static byte[] glb(String json, int binBytes) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        int jl = (j.length + 3) & ~3;
        int total = 12 + 8 + jl + (binBytes > 0 ? 8 + binBytes : 0);
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46546C67).putInt(2).putInt(total);
        b.putInt(jl).putInt(0x4E4F534A).put(j);
        for (int i = j.length; i < jl; i++) {
            b.put((byte) ' ');
        }
        if (binBytes > 0) {
            b.putInt(binBytes).putInt(0x004E4942).put(new byte[binBytes]);
        }
        return b.array();
    }

    static final String GLTF = "{\"asset\":{\"version\":\"2.0\",\"generator\":\"test\"},\"scenes\":[{}],"
            + "\"nodes\":[{},{}],\"meshes\":[{}],\"materials\":[{},{},{}],\"textures\":[{}],"
            + "\"buffers\":[{\"byteLength\":16}],\"images\":[{\"uri\":\"tex/a.png\"}]}";

    @Test
    void imageLoaderDecodesPng() throws IOException {
        byte[] data = png(7, 5);
        BufferedImage img = Loaders.image().load(entry("a.png", "image/png", data), data);
        assertThat(img.getWidth()).isEqualTo(7);
        assertThat(img.getRGB(1, 1) & 0xffffff).isEqualTo(0x123456);
        assertThat(Loaders.image().footprint(img)).isEqualTo(7 * 5 * 4);
    }

    @Test
    void imageLoaderRejectsGarbage() {
        byte[] data = "not an image".getBytes();
        assertThatThrownBy(() -> Loaders.image().load(entry("bad.png", "image/png", data), data))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("bad.png");
    }

    @Test
    void gltfLoaderReadsGlbStructure() {
        byte[] data = glb(GLTF, 16);
        GltfInfo info = Loaders.gltf().load(entry("m.glb", "model/gltf-binary", data), data);
        assertThat(info.generator()).isEqualTo("test");
        assertThat(info.nodes()).isEqualTo(2);
        assertThat(info.meshes()).isEqualTo(1);
        assertThat(info.materials()).isEqualTo(3);
        assertThat(info.binaryBytes()).isEqualTo(16);
        assertThat(info.externalUris()).containsExactly("tex/a.png");
        byte[] json = GLTF.getBytes(StandardCharsets.UTF_8);
        assertThat(Loaders.gltf()
                        .load(entry("m.gltf", "model/gltf+json", json), json)
                        .meshes())
                .isEqualTo(1);
    }

    @Test
    void gltfLoaderRejectsBrokenContainers() {
        byte[] good = glb(GLTF, 16);
        byte[] truncated = Arrays.copyOf(good, good.length - 4);
        byte[] version = good.clone();
        version[4] = 1;
        byte[] noAsset = glb("{\"meshes\":[]}", 0);
        byte[] badJson = glb("{\"asset\":", 0);
        byte[] overrun = good.clone();
        ByteBuffer.wrap(overrun).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1 << 30);
        for (byte[] bad : List.of(truncated, version, noAsset, badJson, overrun, new byte[] {1, 2})) {
            assertThatThrownBy(() -> Loaders.gltf().load(entry("bad.glb", "model/gltf-binary", bad), bad))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("bad.glb");
        }
        // Seeded corruption never escapes as anything but FormatException.
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 200; i++) {
            byte[] g = good.clone();
            g[r.nextInt(g.length)] = (byte) r.nextInt(256);
            try {
                Loaders.gltf().load(entry("g.glb", "model/gltf-binary", g), g);
            } catch (FormatException expected) {
                // fine
            }
        }
    }
}
