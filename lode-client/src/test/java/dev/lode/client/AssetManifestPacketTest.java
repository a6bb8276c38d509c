package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.FormatException;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.net.URI;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssetManifestPacketTest {
    private static final ObjectId SHA = Sha256.of(new byte[] {7});

    private static AssetManifestPacket packet(long id, String url, String min) {
        return new AssetManifestPacket(id, URI.create(url), SHA, min);
    }

    @Test
    void randomPacketsRoundTrip() {
        Random rnd = new Random(128);
        for (int i = 0; i < 500; i++) {
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            long id = rnd.nextInt(4) == 0 ? rnd.nextLong(AssetManifestPacket.MAX_PLUGIN_ID + 1) : rnd.nextInt(1000);
            String url = (rnd.nextBoolean() ? "https" : "http") + "://10.0.0." + rnd.nextInt(256) + ":37015/plugins/"
                    + id + "/manifest";
            String min = rnd.nextBoolean() ? null : "1." + rnd.nextInt(100) + ".0";
            AssetManifestPacket p = new AssetManifestPacket(id, URI.create(url), ObjectId.ofDigest(h), min);
            byte[] enc = p.encode();
            assertThat(enc.length).isLessThanOrEqualTo(AssetManifestPacket.MAX_BYTES);
            assertThat(AssetManifestPacket.decode(enc)).isEqualTo(p);
        }
    }

    @Test
    void aUrlThatDoesNotFitIsAnErrorAtEncodeTime() {
        String longUrl = "https://assets.example.com/" + "x".repeat(100);
        AssetManifestPacket p = packet(7, longUrl, "1.0.0");
        assertThatThrownBy(p::encode)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit")
                .hasMessageContaining("128");
    }

    @Test
    void theLargestUrlThatFitsGivesExactly128Bytes() {
        // header 2 + varint(7) 1 + sha 32 + len 1 + "1.0" 3 + len 1 = 40 bytes, so 88 for the url
        String base = "https://h/";
        String url = base + "a".repeat(88 - base.length());
        assertThat(packet(7, url, "1.0").encode()).hasSize(128);
        assertThatThrownBy(() -> packet(7, url + "b", "1.0").encode()).hasMessageContaining("does not fit");
    }

    @Test
    void everyTruncationIsAClearError() {
        byte[] enc =
                packet(42, "http://127.0.0.1:37015/plugins/42/manifest", "2.0").encode();
        for (int n = 0; n < enc.length; n++) {
            byte[] cut = Arrays.copyOf(enc, n);
            assertThatThrownBy(() -> AssetManifestPacket.decode(cut)).isInstanceOf(FormatException.class);
        }
    }

    @Test
    void longAndTrailingPacketsAreRejected() {
        byte[] enc = packet(42, "http://127.0.0.1/plugins/42/manifest", null).encode();
        byte[] trailing = Arrays.copyOf(enc, enc.length + 1);
        assertThatThrownBy(() -> AssetManifestPacket.decode(trailing)).hasMessageContaining("trailing");
        assertThatThrownBy(() -> AssetManifestPacket.decode(new byte[129])).hasMessageContaining("too long");
    }

    @Test
    void wrongMagicVersionUtf8AndUrlAreNamed() {
        byte[] enc = packet(1, "http://h/p", null).encode();
        byte[] magic = enc.clone();
        magic[0] = 0;
        assertThatThrownBy(() -> AssetManifestPacket.decode(magic)).hasMessageContaining("magic");
        byte[] version = enc.clone();
        version[1] = 9;
        assertThatThrownBy(() -> AssetManifestPacket.decode(version)).hasMessageContaining("version 9");
        byte[] utf = enc.clone();
        utf[utf.length - 1] = (byte) 0xC3; // a lead byte with no continuation
        assertThatThrownBy(() -> AssetManifestPacket.decode(utf)).hasMessageContaining("UTF-8");
        byte[] scheme = packet(1, "http://h/p", null).encode();
        int urlStart = scheme.length - "http://h/p".length();
        scheme[urlStart] = 'f';
        scheme[urlStart + 1] = 't';
        assertThatThrownBy(() -> AssetManifestPacket.decode(scheme))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("http");
    }

    @Test
    void randomGarbageOnlyEverGivesFormatErrors() {
        Random rnd = new Random(3);
        byte[] good = packet(99, "https://203.0.113.5:37015/plugins/99/manifest", "1.2.3")
                .encode();
        for (int i = 0; i < 5000; i++) {
            byte[] b = rnd.nextInt(3) == 0 ? new byte[rnd.nextInt(130)] : good.clone();
            if (b.length > 0) {
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
            }
            try {
                AssetManifestPacket.decode(b);
            } catch (FormatException expected) {
                // the only acceptable failure
            }
        }
    }

    @Test
    void constructorRejectsNonHttpUrls() {
        assertThatThrownBy(() -> packet(1, "ftp://h/x", null)).hasMessageContaining("http(s)");
        assertThatThrownBy(() -> packet(-1, "http://h/x", null)).hasMessageContaining("out of range");
    }
}
