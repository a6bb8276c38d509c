package dev.lode.stream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs the CPU stages (verify, decompress, decode). The default is a pool of platform threads
 * sized to the cores; a simulation injects one that completes work on a virtual clock, which is
 * why the asset travels with the work.
 */
public interface Workers extends AutoCloseable {
    /** Runs {@code work} for {@code asset} and completes the future with its result. */
    <T> CompletableFuture<T> submit(CatalogEntry asset, Supplier<T> work);

    /** Stops the workers; the default does nothing. */
    @Override
    default void close() {}

    /** A pool of {@code threads} daemon platform threads. */
    static Workers pool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, got " + threads);
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "lode-stream-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ExecutorService pool = Executors.newFixedThreadPool(threads, factory);
        return new Workers() {
            @Override
            public <T> CompletableFuture<T> submit(CatalogEntry asset, Supplier<T> work) {
                return CompletableFuture.supplyAsync(work, pool);
            }

            @Override
            public void close() {
                pool.shutdownNow();
            }
        };
    }

    /** Runs work on the calling thread (deterministic tests). */
    static Workers direct() {
        return new Workers() {
            @Override
            public <T> CompletableFuture<T> submit(CatalogEntry asset, Supplier<T> work) {
                try {
                    return CompletableFuture.completedFuture(work.get());
                } catch (RuntimeException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
        };
    }
}
