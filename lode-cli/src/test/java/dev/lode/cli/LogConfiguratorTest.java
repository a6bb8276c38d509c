package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
        var appender = (StderrAppender) root(quiet).getAppender("STDERR");
        assertThat(appender.isStarted()).isTrue();

        LoggerContext loud = new LoggerContext();
        LogConfigurator.configure(loud, "debug");
        assertThat(root(loud).getLevel()).isEqualTo(Level.DEBUG);

        LoggerContext unknown = new LoggerContext();
        LogConfigurator.configure(unknown, "chatty");
        assertThat(root(unknown).getLevel()).isEqualTo(Level.WARN);
    }

    @Test
    void theStderrAppenderIsMadeAtTheFirstEventAndWritesThePattern() {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // as CliLogProvider does
        LogConfigurator.configure(ctx, "info");
        var appender = (StderrAppender) root(ctx).getAppender("STDERR");
        Logger log = ctx.getLogger("dev.lode.test");
        log.debug("below the level");
        assertThat(appender.opened()).as("nothing logged yet").isFalse();

        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            log.warn("disk {} is full", "/data");
        } finally {
            System.setErr(saved);
            ctx.stop();
        }
        assertThat(appender.opened()).isTrue();
        assertThat(captured.toString(StandardCharsets.UTF_8))
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  dev.lode.test - disk /data is full\\R");
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
