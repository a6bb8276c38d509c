package dev.lode.server;

import dev.lode.core.MediaTypes;
import dev.lode.core.SafePaths;
import dev.lode.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * Fetches missing assets from a {@link StageSource}, at most once at a time per id (single-flight):
 * every request for an id that is being fetched waits on the same future. A failure stores nothing
 * and is not remembered, so the next request tries again.
 */
final class Stager {
    /** Stores fetched bytes; returns what was stored. */
    @FunctionalInterface
    interface Sink<T> {
        T store(String id, InputStream body, String mediaType);
    }

    private final StageSource source;
    private final HttpClient http;
    private final Metrics metrics;
    private final ConcurrentHashMap<String, CompletableFuture<Object>> inFlight = new ConcurrentHashMap<>();

    Stager(StageSource source, Metrics metrics) {
        this.source = source;
        this.metrics = metrics;
        this.http = source instanceof StageSource.HttpTemplate t
                ? HttpClient.newBuilder()
                        .connectTimeout(t.timeout())
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .executor(Executors.newVirtualThreadPerTaskExecutor())
                        .build()
                : null;
    }

    /** Fetches {@code id} (joining a fetch already running) and stores it through {@code sink}. */
    @SuppressWarnings("unchecked") // every sink of one id stores the same type
    <T> CompletableFuture<T> stage(String id, Sink<T> sink) {
        CompletableFuture<Object> created = new CompletableFuture<>();
        CompletableFuture<Object> running = inFlight.putIfAbsent(id, created);
        if (running != null) {
            return (CompletableFuture<T>) running;
        }
        Thread.ofVirtual().name("stage-" + id).start(() -> {
            try {
                Object result = fetch(id, sink);
                inFlight.remove(id, created);
                created.complete(result);
            } catch (Throwable t) {
                metrics.stagingFailure();
                inFlight.remove(id, created);
                created.completeExceptionally(t);
            }
        });
        return (CompletableFuture<T>) created;
    }

    private <T> T fetch(String id, Sink<T> sink) {
        metrics.stagingFetch();
        return switch (source) {
            case StageSource.Folder folder -> fromFolder(folder, id, sink);
            case StageSource.HttpTemplate t -> fromHttp(t, id, sink);
        };
    }

    private static <T> T fromFolder(StageSource.Folder folder, String id, Sink<T> sink) {
        Path file = SafePaths.resolveUnder(folder.dir(), id);
        try (InputStream in = Files.newInputStream(file)) {
            return sink.store(id, in, MediaTypes.forPath(id).mime());
        } catch (NoSuchFileException e) {
            throw new StagingException(StagingException.Kind.NOT_FOUND, "asset " + id + " not in " + folder.dir(), e);
        } catch (IOException | UncheckedIOException | StoreException e) {
            throw new StagingException(
                    StagingException.Kind.BAD_GATEWAY, "cannot stage asset " + id + " from " + file + ": " + e, e);
        }
    }

    private <T> T fromHttp(StageSource.HttpTemplate t, String id, Sink<T> sink) {
        URI uri = URI.create(t.template().replace("{id}", URLEncoder.encode(id, StandardCharsets.UTF_8)));
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(t.timeout()).GET().build();
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new StagingException(
                    StagingException.Kind.TIMEOUT, "source " + uri + " did not answer within " + t.timeout(), e);
        } catch (IOException e) {
            throw new StagingException(StagingException.Kind.BAD_GATEWAY, "source " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StagingException(StagingException.Kind.BAD_GATEWAY, "interrupted fetching " + uri, e);
        }
        StallGuard guard = new StallGuard(resp.body(), t.timeout());
        try (InputStream body = guard) {
            int status = resp.statusCode();
            if (status == 404 || status == 410) {
                throw new StagingException(
                        StagingException.Kind.NOT_FOUND, "source " + uri + " has no asset " + id, null);
            }
            if (status != 200) {
                throw new StagingException(
                        StagingException.Kind.BAD_GATEWAY, "source " + uri + " answered HTTP " + status, null);
            }
            String type = resp.headers()
                    .firstValue("content-type")
                    .map(Precompressor::stripParams)
                    .filter(ct -> !ct.isEmpty() && !ct.equals("application/octet-stream"))
                    .orElse(MediaTypes.forPath(id).mime());
            return sink.store(id, body, type);
        } catch (IOException | UncheckedIOException | StoreException e) {
            if (guard.stalled()) {
                throw new StagingException(
                        StagingException.Kind.TIMEOUT, "source " + uri + " stopped sending for " + t.timeout(), e);
            }
            throw new StagingException(
                    StagingException.Kind.BAD_GATEWAY, "reading asset " + id + " from " + uri + " failed: " + e, e);
        }
    }

    /**
     * Fails a source body that makes no progress for the timeout: the JDK client's request timeout
     * covers only the wait for headers, and a stalled body would hold every waiter of the fetch.
     */
    private static final class StallGuard extends java.io.FilterInputStream {
        private final Thread watchdog;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;

        StallGuard(InputStream in, java.time.Duration timeout) {
            super(in);
            long limit = timeout.toNanos();
            long tick = Math.max(5, timeout.toMillis() / 4);
            this.watchdog = Thread.ofVirtual().name("stage-stall-guard").start(() -> {
                try {
                    while (true) {
                        Thread.sleep(tick);
                        if (System.nanoTime() - lastProgress > limit) {
                            stalled = true;
                            in.close();
                            return;
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    // finished or closed
                }
            });
        }

        boolean stalled() {
            return stalled;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            lastProgress = System.nanoTime();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            lastProgress = System.nanoTime();
            return n;
        }

        @Override
        public void close() throws IOException {
            watchdog.interrupt();
            super.close();
        }
    }
}
