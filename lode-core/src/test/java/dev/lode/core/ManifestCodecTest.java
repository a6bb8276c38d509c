package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
    private static final ObjectId A = Sha256.of(new byte[] {1});
    private static final ObjectId B = Sha256.of(new byte[] {2});

    private static Manifest randomManifest(Random rnd) {
        List<ManifestEntry> entries = new ArrayList<>();
        int n = rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            List<String> tags = rnd.nextBoolean() ? List.of("t" + rnd.nextInt(5)) : List.of();
            Map<String, String> meta =
                    rnd.nextBoolean() ? Map.of("author", "ann \"q\" \u00e9", "lod", "" + i) : Map.of();
            entries.add(new ManifestEntry(
                    "dir" + rnd.nextInt(4) + "/file-" + i + ".png",
                    rnd.nextInt(1 << 30),
                    ObjectId.ofDigest(h),
                    "image/png",
                    rnd.nextBoolean() ? A : null,
                    tags,
                    rnd.nextBoolean() ? List.of("dep/" + i) : List.of(),
                    rnd.nextBoolean() ? List.of("lod0/" + i, "lod1/" + i) : List.of(),
                    meta));
        }
        return Manifest.of(entries, rnd.nextBoolean() ? Map.of("notes", "seed") : Map.of());
    }

    /** Delivers one byte per read, to find parsers that assume whole buffers. */
    private static InputStream oneByteAtATime(byte[] data) {
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < data.length ? data[pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= data.length) {
                    return -1;
                }
                if (len == 0) {
                    return 0;
                }
                b[off] = data[pos++];
                return 1;
            }
        };
    }

    @Test
    void randomManifestsRoundTripThroughBytesAndStreams() {
        Random rnd = new Random(2026);
        for (int i = 0; i < 100; i++) {
            Manifest m = randomManifest(rnd);
            byte[] enc = ManifestCodec.encode(m);
            assertThat(ManifestCodec.decode(enc)).isEqualTo(m);
            assertThat(ManifestCodec.read(oneByteAtATime(enc))).isEqualTo(m);
            assertThat(ManifestCodec.encode(ManifestCodec.decode(enc))).isEqualTo(enc);
        }
    }

    @Test
    void encodingDoesNotDependOnEntryOrder() {
        List<ManifestEntry> entries = new ArrayList<>(List.of(
                ManifestEntry.of("b.png", 1, A, "image/png", null),
                ManifestEntry.of("a/c.json", 2, B, "application/json", null),
                ManifestEntry.of("a.txt", 3, A, "text/plain", null)));
        byte[] first = ManifestCodec.encode(Manifest.of(entries, Map.of()));
        Collections.reverse(entries);
        assertThat(ManifestCodec.encode(Manifest.of(entries, Map.of()))).isEqualTo(first);
        assertThat(new String(first, StandardCharsets.UTF_8))
                .startsWith("{\"format\":\"lode.manifest/1\",\"entries\":[{\"path\":\"a.txt\"");
    }

    @Test
    void duplicatePathsAreRejected() {
        List<ManifestEntry> dup = List.of(
                ManifestEntry.of("a", 1, A, "text/plain", null), ManifestEntry.of("a", 2, B, "text/plain", null));
        assertThatThrownBy(() -> Manifest.of(dup, Map.of())).hasMessageContaining("duplicate path");
    }

    private static void assertBad(String json, String fragment) {
        assertThatThrownBy(() -> ManifestCodec.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(fragment);
    }

    @Test
    void badManifestsGetErrorsThatSayWhere() {
        String e = "{\"path\":\"a.png\",\"size\":1,\"sha256\":\"" + A + "\",\"mediaType\":\"image/png\"";
        assertBad("", "got end of input");
        assertBad("{", "not valid JSON");
        assertBad("[]", "manifest must be an object");
        assertBad("{\"format\":\"x\",\"entries\":[]}", "format must be");
        assertBad("{\"format\":\"lode.manifest/1\"}", "no 'entries'");
        assertBad("{\"format\":\"lode.manifest/1\",\"entries\":[],\"extra\":1}", "unknown field 'extra'");
        assertBad(
                "{\"format\":\"lode.manifest/1\",\"entries\":[" + e + ",\"x\":1}]}",
                "entries[0] has unknown field 'x'");
        assertBad(
                "{\"format\":\"lode.manifest/1\",\"entries\":[" + e.replace("\"size\":1", "\"size\":\"1\"") + "}]}",
                "entries[0].size must be an integer");
        assertBad(
                "{\"format\":\"lode.manifest/1\",\"entries\":[" + e.replace("\"size\":1", "\"size\":-1") + "}]}",
                "must not be negative");
        assertBad(
                "{\"format\":\"lode.manifest/1\",\"entries\":[" + e.replace("a.png", "../a.png") + "}]}",
                "unsafe path '../a.png'");
        assertBad(
                "{\"format\":\"lode.manifest/1\",\"entries\":[" + e.replace(A.hex(), "ABC") + "}]}",
                "entries[0].sha256 is not a SHA-256 id");
        assertBad("{\"format\":\"lode.manifest/1\",\"entries\":[{\"path\":\"a\"}]}", "needs path, size, sha256");
        assertBad("{\"format\":\"lode.manifest/1\",\"entries\":[" + e + "}," + e + "}]}", "duplicate path");
        assertBad("{\"format\":\"lode.manifest/1\",\"entries\":[]} {}", "after its closing brace");
        assertBad("{\"format\":\"lode.manifest/1\",\"format\":\"lode.manifest/1\",\"entries\":[]}", "Duplicate field");
    }

    @Test
    void randomlyCorruptedManifestsFailOnlyWithFormatErrors() {
        Random rnd = new Random(77);
        byte[] enc = ManifestCodec.encode(randomManifest(new Random(5)));
        for (int i = 0; i < 1000; i++) {
            byte[] bad = enc.clone();
            bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(128);
            try {
                ManifestCodec.read(new ByteArrayInputStream(bad));
            } catch (FormatException expected) {
                // a clear error is the only acceptable failure
            }
        }
    }
}
