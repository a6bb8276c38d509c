package dev.lode.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;

/**
 * The CLI's logging set-up, in code rather than {@code logback.xml}: quiet by default (warnings and
 * errors on stderr), {@code LODE_LOG=debug|info|warn|error} (environment or system property) turns
 * it up. Logback finds it through {@code META-INF/services}, before its own XML configuration.
 *
 * <p>Why code: reading an XML configuration costs a JAXP parser and Logback's model framework at
 * every start, about twice the CPU of this (measured: 230 ms against 115 ms of one core), and every
 * {@code lode} command pays it. A {@code logback.configurationFile} system property or a {@code
 * logback-test.xml} on the class path (tests) still wins: then this steps aside.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        boolean fileGiven = System.getProperty("logback.configurationFile") != null
                || LogConfigurator.class.getClassLoader().getResource("logback-test.xml") != null;
        if (fileGiven) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        configure(ctx, requestedLevel());
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The level asked for with {@code LODE_LOG} (system property, else environment); null if none. */
    static String requestedLevel() {
        return System.getProperty("LODE_LOG", System.getenv("LODE_LOG"));
    }

    /** Sets up {@code ctx}: one stderr appender ({@link StderrAppender}), the root at {@code level} (WARN when null or unknown). */
    static void configure(LoggerContext ctx, String level) {
        ctx.getStatusManager().add(new NopStatusListener());
        StderrAppender stderr = new StderrAppender();
        stderr.setContext(ctx);
        stderr.setName("STDERR");
        stderr.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.WARN));
        root.addAppender(stderr);
    }
}
