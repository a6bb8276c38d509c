package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;

class CliLogProviderTest {
    @Test
    void providesAQuietLogbackContextWithEverythingSlf4jAsksFor() {
        CliLogProvider provider = new CliLogProvider();
        provider.initialize();
        LoggerContext ctx = (LoggerContext) provider.getLoggerFactory();
        assertThat(ctx.isStarted()).isTrue();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isIn(Level.WARN, Level.toLevel(System.getenv("LODE_LOG"), Level.WARN));
        assertThat(root.getAppender("STDERR")).isInstanceOf(StderrAppender.class);
        assertThat(provider.getMDCAdapter()).isSameAs(ctx.getMDCAdapter()).isNotNull();
        assertThat(provider.getMarkerFactory().getMarker("lode")).isNotNull();
        assertThat(provider.getRequestedApiVersion()).startsWith("2.0");
        ctx.stop();
    }
}
