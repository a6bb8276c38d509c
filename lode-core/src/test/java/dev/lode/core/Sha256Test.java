package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Sha256Test {
    @TempDir
    Path dir;

    @Test
    void fileStreamAndArrayHashesAgree() throws Exception {
        byte[] data = new byte[3 * Sha256.BUFFER_SIZE + 12345];
        new Random(7).nextBytes(data);
        Path f = dir.resolve("f");
        Files.write(f, data);
        ObjectId a = Sha256.of(data);
        assertThat(Sha256.ofFile(f)).isEqualTo(a);
        assertThat(Sha256.of(new ByteArrayInputStream(data))).isEqualTo(a);
    }

    @Test
    void emptyInputHasTheWellKnownHash() {
        assertThat(Sha256.of(new byte[0]).hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void missingFileNamesThePath() {
        Path missing = dir.resolve("nope.bin");
        assertThatThrownBy(() -> Sha256.ofFile(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("nope.bin");
    }
}
