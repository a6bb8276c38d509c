package dev.lode.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BundleManifestTest {
    private static final ObjectId ZIP = Sha256.of("zip".getBytes(StandardCharsets.UTF_8));

    static BundleManifest sample() {
        return new BundleManifest(
                7,
                "1.0.3",
                null,
                BundleRef.of(ZIP, 1234),
                List.of(
                        new BundleFile("models/veh_cc.ent", 18324, Sha256.of(new byte[] {1})),
                        new BundleFile("textures/cc_dif.dds", 982_000, Sha256.of(new byte[] {2}))));
    }

    static BundleManifest random(Random rnd) {
        List<BundleFile> files = new ArrayList<>();
        int n = 1 + rnd.nextInt(20);
        for (int i = 0; i < n; i++) {
            String name = "d" + rnd.nextInt(5) + "/" + (rnd.nextBoolean() ? "ü\"q'é" : "f") + i + ".bin";
            files.add(new BundleFile(name, rnd.nextLong(0, 1L << 40), Sha256.of(new byte[] {(byte) i})));
        }
        return new BundleManifest(
                rnd.nextLong(0, BundleManifest.MAX_PLUGIN_ID),
                rnd.nextInt(10) + "." + rnd.nextInt(10),
                rnd.nextBoolean() ? null : "0." + rnd.nextInt(100),
                BundleRef.of(ZIP, rnd.nextLong(0, 1L << 40)),
                files);
    }

    @Test
    void canonicalJsonLooksLikeTheSeed() {
        String json = new String(sample().toJson(), StandardCharsets.UTF_8);
        assertThat(json)
                .startsWith("{\n  \"pluginId\": 7,\n  \"version\": \"1.0.3\",\n  \"bundle\": {\"name\": \"assets."
                        + ZIP + ".zip\", \"size\": 1234, \"sha256\": \"" + ZIP + "\"},\n  \"files\": [\n"
                        + "    {\"path\": \"models/veh_cc.ent\", \"size\": 18324, \"sha256\": \"")
                .endsWith("\"}\n  ]\n}\n")
                .doesNotContain("minVersion");
    }

    @Test
    void randomManifestsRoundTripAndParseOneByteAtATime() {
        Random rnd = new Random(2024);
        for (int i = 0; i < 200; i++) {
            BundleManifest m = random(rnd);
            byte[] json = m.toJson();
            assertThat(BundleManifest.parse(json)).isEqualTo(m);
            assertThat(BundleManifest.parse(new OneByteInputStream(json))).isEqualTo(m);
            assertThat(BundleManifest.parse(json).toJson()).isEqualTo(json);
        }
    }

    @Test
    void randomByteFlipsGiveFormatExceptionsOnly() {
        Random rnd = new Random(77);
        byte[] json = sample().toJson();
        for (int i = 0; i < 2000; i++) {
            byte[] bad = json.clone();
            bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
            try {
                BundleManifest m = BundleManifest.parse(bad);
                assertThat(m).isNotNull();
            } catch (FormatException e) {
                assertThat(e.getMessage()).startsWith("manifest:");
            } catch (RuntimeException e) {
                fail("flip " + i + " gave " + e, e);
            }
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[]|expected a JSON object",
                "{|not valid JSON",
                "{\"pluginId\":1,\"pluginId\":2}|not valid JSON",
                "{\"pluginId\":1,\"version\":\"1\",\"bundle\":{},\"files\":[],\"x\":1}|unknown field 'x'",
                "{\"version\":\"1\"}|missing field 'pluginId'",
                "{\"pluginId\":-1,\"version\":\"1\"}|non-negative integer",
                "{\"pluginId\":1.5,\"version\":\"1\"}|non-negative integer",
                "{\"pluginId\":1,\"version\":2}|must be a string",
                "{\"pluginId\":1,\"version\":\"1\",\"files\":[]}|'bundle' must be an object",
                "{\"pluginId\":1,\"version\":\"1\",\"bundle\":{\"name\":\"a\",\"size\":1,\"sha256\":\"AB\"}}|64 lowercase hex",
                "{} x|not valid JSON",
                "{\"pluginId\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}|nested deeper than 16 levels",
                "{\"pluginId\":1,\"version\":null}|missing field 'version'",
                "{\"pluginId\":99999999999999999999999,\"version\":\"1\"}|non-negative integer",
            })
    void malformedManifestsAreClearErrors(String json, String message) {
        assertThatThrownBy(() -> BundleManifest.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(message);
    }

    @Test
    void unsafeOrRepeatedPathsAndWrongBundleNamesAreRefused() {
        String good = new String(sample().toJson(), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> BundleManifest.parse(
                        good.replace("models/veh_cc.ent", "../etc/passwd").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("unsafe path");
        assertThatThrownBy(() -> BundleManifest.parse(
                        good.replace("textures/cc_dif.dds", "models/veh_cc.ent").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> BundleManifest.parse(
                        good.replace("\"assets.", "\"other.").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("assets.<sha256>.zip");
        assertThatThrownBy(() -> BundleManifest.parse(
                        good.replace("\"1.0.3\"", "\"1 0\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("not a version");
    }

    /** Okio-style: a stream that yields one byte per read. */
    static final class OneByteInputStream extends InputStream {
        private final byte[] data;
        private int pos;

        OneByteInputStream(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int c = read();
            if (c < 0) {
                return -1;
            }
            b[off] = (byte) c;
            return 1;
        }
    }
}
