package dev.lode.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server's periodic work, on daemon threads: flushing bytes served to the catalog, and
 * garbage collection when enabled. Closing stops both and flushes once more.
 */
final class Housekeeping implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
    static final Duration FLUSH_EVERY = Duration.ofSeconds(10);
    /** The first collection waits at most this long after start, so frequent restarts still collect. */
    private static final Duration FIRST_GC_AFTER = Duration.ofMinutes(5);

    private final ScheduledExecutorService timer;
    private final ServedBytes served;

    private Housekeeping(ServerContext ctx, LodeServer.Builder config) {
        this.served = ctx.served();
        this.timer = Executors.newScheduledThreadPool(
                2, Thread.ofPlatform().daemon().name("lode-housekeeping-", 0).factory());
        long flush = FLUSH_EVERY.toMillis();
        timer.scheduleWithFixedDelay(served::flush, flush, flush, TimeUnit.MILLISECONDS);
        if (!config.gcEvery.isZero()) {
            long every = config.gcEvery.toMillis();
            long first = Math.min(every, FIRST_GC_AFTER.toMillis());
            timer.scheduleWithFixedDelay(() -> collect(ctx, config), first, every, TimeUnit.MILLISECONDS);
            LOG.info(
                    "garbage collection every {} (runs older than {}, grace {})",
                    GarbageCollector.human(config.gcEvery),
                    GarbageCollector.human(config.gcOptions.olderThan()),
                    GarbageCollector.human(config.gcOptions.grace()));
        }
    }

    static Housekeeping start(ServerContext ctx, LodeServer.Builder config) {
        return new Housekeeping(ctx, config);
    }

    private static void collect(ServerContext ctx, LodeServer.Builder config) {
        try {
            GcReport r = GarbageCollection.run(ctx.stores(), ctx.catalog(), config.gcOptions.withDryRun(false));
            LOG.info("garbage collection: {}", r.summary());
        } catch (RuntimeException e) {
            // A failed collection changes nothing it has not finished; the next one starts over.
            LOG.warn("garbage collection failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        served.flush();
    }
}
