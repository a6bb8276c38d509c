package dev.lode.cli;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;

/**
 * The CLI's log output: {@link LogConfigurator#PATTERN} lines on stderr, through a Logback {@link
 * ConsoleAppender} that is made at the first event.
 *
 * <p>Why at the first event: the pattern's timestamp makes Logback load {@code java.time}'s zone
 * rules, and their provider lookup searches every jar on the class path, tens of milliseconds on
 * the CLI's. Quiet by default, most commands log nothing, so most never pay it.
 */
final class StderrAppender extends AppenderBase<ILoggingEvent> {
    /** Guarded by {@code this}: {@link AppenderBase#doAppend} and {@link #stop} hold the lock. */
    private ConsoleAppender<ILoggingEvent> console;

    @Override
    protected void append(ILoggingEvent event) {
        if (console == null) {
            console = open();
        }
        console.doAppend(event);
    }

    private ConsoleAppender<ILoggingEvent> open() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(getContext());
        encoder.setPattern(LogConfigurator.PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
        c.setContext(getContext());
        c.setName(getName());
        c.setTarget("System.err");
        c.setEncoder(encoder);
        c.start();
        return c;
    }

    /** Whether the console appender has been made (an event was logged). */
    synchronized boolean opened() {
        return console != null;
    }

    @Override
    public synchronized void stop() {
        if (console != null) {
            console.stop();
        }
        super.stop();
    }
}
