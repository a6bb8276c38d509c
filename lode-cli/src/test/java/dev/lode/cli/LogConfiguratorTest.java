package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.io.InputStream;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogConfiguratorTest {
    private static Logger root(LoggerContext ctx) {
        return ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    }

    @Test
    void theRootLogsWarningsToStderrUnlessLodeLogSaysOtherwise() {
        LoggerContext quiet = new LoggerContext();
        LogConfigurator.configure(quiet, null);
        assertThat(root(quiet).getLevel()).isEqualTo(Level.WARN);
        var appender = (ConsoleAppender<?>) root(quiet).getAppender("STDERR");
        assertThat(appender.getTarget()).isEqualTo("System.err");
        assertThat(appender.isStarted()).isTrue();
        assertThat(((PatternLayoutEncoder) appender.getEncoder()).getPattern()).isEqualTo(LogConfigurator.PATTERN);

        LoggerContext loud = new LoggerContext();
        LogConfigurator.configure(loud, "debug");
        assertThat(root(loud).getLevel()).isEqualTo(Level.DEBUG);

        LoggerContext unknown = new LoggerContext();
        LogConfigurator.configure(unknown, "chatty");
        assertThat(root(unknown).getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void aLogbackTestXmlOnTheClassPathTakesPrecedence() {
        // This module's tests ship logback-test.xml, so the configurator steps aside for Joran.
        LoggerContext ctx = new LoggerContext();
        assertThat(new LogConfigurator().configure(ctx)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(root(ctx).getAppender("STDERR")).isNull();
    }

    @Test
    void logbackFindsTheConfiguratorThroughTheServiceFile() throws Exception {
        assertThat(ServiceLoader.load(Configurator.class).stream()
                        .map(p -> p.type().getName()))
                .contains(LogConfigurator.class.getName());
        try (InputStream in = LogConfigurator.class.getResourceAsStream("/logback.xml")) {
            assertThat(in).as("no XML configuration ships with the CLI").isNull();
        }
    }
}
