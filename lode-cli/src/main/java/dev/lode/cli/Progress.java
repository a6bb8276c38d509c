package dev.lode.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long job in bytes: a bar with rate and ETA on a terminal, else a plain line every
 * few seconds (logs and CI stay readable). Thread-safe.
 */
final class Progress implements AutoCloseable {
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(5).toNanos();

    private final ProgressBar bar;
    private final PrintStream log;
    private final String task;
    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final long start = System.nanoTime();
    private volatile long lastLog = System.nanoTime();

    private Progress(String task, long total, boolean terminal, PrintStream log) {
        this.task = task;
        this.total = total;
        this.log = log;
        this.bar = terminal
                ? new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(Math.max(total, 1))
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUnit("MB", 1024 * 1024)
                        .showSpeed()
                        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                        .build()
                : null;
    }

    /** A progress display on stderr: a bar when stderr is a terminal, else log lines. */
    static Progress start(String task, long totalBytes, boolean quiet) {
        boolean terminal = !quiet && System.console() != null && System.getenv("CI") == null;
        return new Progress(task, totalBytes, terminal, quiet ? null : System.err);
    }

    void add(long bytes) {
        long d = done.addAndGet(bytes);
        if (bar != null) {
            bar.stepBy(bytes);
            return;
        }
        long now = System.nanoTime();
        if (log != null && now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            double secs = (now - start) / 1e9;
            double mbps = d / 1e6 / Math.max(secs, 1e-9);
            log.printf(
                    "%s: %s of %s (%.0f%%), %.1f MB/s%n",
                    task, Units.bytes(d), Units.bytes(total), total == 0 ? 100.0 : 100.0 * d / total, mbps);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
