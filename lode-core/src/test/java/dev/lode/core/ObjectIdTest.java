package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectIdTest {
    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void sha256OfAbcMatchesTheStandardVector() {
        assertThat(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)).hex()).isEqualTo(ABC);
    }

    @Test
    void parseAcceptsLowercaseHexOnly() {
        assertThat(ObjectId.parse(ABC).hex()).isEqualTo(ABC);
        assertThatThrownBy(() -> ObjectId.parse(ABC.toUpperCase()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lowercase hex");
        assertThatThrownBy(() -> ObjectId.parse(ABC.substring(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectId.parse(ABC.substring(1) + "g")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectId.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bytesRoundTrip() {
        ObjectId id = ObjectId.parse(ABC);
        assertThat(ObjectId.ofDigest(id.toBytes())).isEqualTo(id);
        assertThat(id.matches(id.toBytes())).isTrue();
        assertThat(id.shortHex(12)).isEqualTo(ABC.substring(0, 12));
    }

    @Test
    void digestOfWrongLengthIsRejected() {
        assertThatThrownBy(() -> ObjectId.ofDigest(new byte[31])).hasMessageContaining("32 bytes");
    }

    @Test
    void longGarbageIsAbbreviatedInTheMessage() {
        String junk = "x".repeat(10_000);
        assertThatThrownBy(() -> ObjectId.parse(junk)).message().hasSizeLessThan(200);
    }
}
