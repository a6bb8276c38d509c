package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafePathsTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "/etc/passwd",
                "../x",
                "a/../../x",
                "a/./b",
                "a//b",
                "a/",
                "a\\b",
                "C:x",
                "c:/x",
                "a\u0000b",
                "..",
                "."
            })
    void unsafePathsAreRejected(String path) {
        assertThatThrownBy(() -> SafePaths.checkRelative(path)).isInstanceOf(SafePaths.UnsafePathException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b/c.png", "...", "a..b/c", "models/veh_cc.ent", "ünïcode/名前.txt"})
    void cleanRelativePathsPass(String path) {
        assertThat(SafePaths.checkRelative(path)).isEqualTo(path);
    }

    @Test
    void resolveUnderStaysInsideTheRoot() {
        Path root = Path.of("/tmp/root");
        assertThat(SafePaths.resolveUnder(root, "a/b")).isEqualTo(Path.of("/tmp/root/a/b"));
        assertThatThrownBy(() -> SafePaths.resolveUnder(root, "../root2/x")).hasMessageContaining("unsafe path");
    }
}
