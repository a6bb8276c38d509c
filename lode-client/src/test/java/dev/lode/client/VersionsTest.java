package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionsTest {
    @ParameterizedTest
    @CsvSource({
        "1.0.3, 1.0.3, 0",
        "1.0.3, 1.0.4, -1",
        "1.10.0, 1.9.9, 1",
        "2, 1.99, 1",
        "1.0, 1.0.0, 0",
        "1.0.0-beta, 1.0.0, -1",
        "1.0.0-beta, 1.0.0-alpha, 1",
        "01.2, 1.2, 0",
        "1.2a, 1.2, -1"
    })
    void versionsCompareNumericallyByPart(String a, String b, int sign) {
        assertThat(Integer.signum(Versions.compare(a, b))).isEqualTo(sign);
        assertThat(Integer.signum(Versions.compare(b, a))).isEqualTo(-sign);
    }
}
