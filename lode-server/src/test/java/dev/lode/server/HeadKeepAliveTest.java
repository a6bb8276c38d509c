package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Regression: a HEAD of a stored representation left the connection unable to answer again. */
class HeadKeepAliveTest {
    @TempDir
    Path data;

    @Test
    void headThenGetOnOneKeepAliveConnectionBothAnswer() throws Exception {
        try (ServerFixture fx = ServerFixture.start(data)) {
            assertThat(fx.putAsset("hero.png", "png!".getBytes()).statusCode()).isEqualTo(201);
            String answer = fx.raw("HEAD /assets/hero.png HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /assets/hero.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 200 OK");
            assertThat(answer.indexOf("HTTP/1.1 200 OK", 10)).isPositive();
            assertThat(answer).endsWith("png!");
        }
    }
}
