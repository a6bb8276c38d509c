package dev.lode.core;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Puts every regular file of a folder tree into an {@link ObjectStore}, each with its chunk map,
 * and stores a {@link Manifest} of the tree. Files are ingested in parallel (one task per file on
 * a pool as large as the machine has cores); the manifest does not depend on the order in which
 * files finish. Symbolic links and special files are skipped and counted, never followed.
 *
 * <p>If any file cannot be read the ingest fails with an error naming it and no manifest is
 * stored; objects already stored stay (they are content-addressed and harmless).
 */
public final class TreeIngester {
    private final ObjectStore store;
    private final int parallelism;
    private final Listener listener;

    private TreeIngester(Builder b) {
        this.store = b.store;
        this.parallelism = b.parallelism;
        this.listener = b.listener;
    }

    /** A builder for an ingester into {@code store}. */
    public static Builder builder(ObjectStore store) {
        return new Builder(store);
    }

    /** Ingests the tree under {@code dir}. */
    public Result ingest(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new LodeException("not a folder: " + dir);
        }
        Path root = dir.toAbsolutePath().normalize();
        List<Path> files = new ArrayList<>();
        int[] skipped = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(file);
                    } else {
                        skipped[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                    throw exc;
                }
            });
        } catch (IOException e) {
            throw StoreException.io("list", root, e);
        }
        files.sort(null);
        long totalBytes = 0;
        for (Path f : files) {
            try {
                totalBytes += Files.size(f);
            } catch (IOException e) {
                throw StoreException.io("stat", f, e);
            }
        }
        listener.started(files.size(), totalBytes);

        List<ManifestEntry> entries = new ArrayList<>(files.size());
        long newObjects;
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "lode-ingest");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<ManifestEntry>> futures = new ArrayList<>(files.size());
            List<Boolean> created = java.util.Collections.synchronizedList(new ArrayList<>());
            for (Path f : files) {
                String rel = relative(root, f);
                futures.add(pool.submit(() -> {
                    StoredObject o = store.putFile(f);
                    listener.fileDone(rel, o.size(), o.created());
                    if (o.created()) {
                        created.add(Boolean.TRUE);
                    }
                    return ManifestEntry.of(
                            rel, o.size(), o.id(), MediaTypes.forPath(rel).mime(), o.chunkMapId());
                }));
            }
            for (Future<ManifestEntry> fu : futures) {
                ManifestEntry e = await(fu);
                entries.add(e);
            }
            newObjects = created.size();
        } finally {
            pool.shutdownNow();
        }
        Manifest manifest = Manifest.of(entries, Map.of());
        StoredObject m = store.putBytes(ManifestCodec.encode(manifest));
        return new Result(m.id(), manifest, files.size(), totalBytes, newObjects, skipped[0]);
    }

    private static ManifestEntry await(Future<ManifestEntry> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LodeException("ingest interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new LodeException("ingest failed: " + c, c);
        }
    }

    private static String relative(Path root, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(part.toString());
        }
        return sb.toString();
    }

    /**
     * The outcome of an ingest.
     *
     * @param manifestId the id of the stored manifest
     * @param manifest the manifest
     * @param files regular files ingested
     * @param bytes their total size
     * @param newObjects files whose content the store did not hold before
     * @param skipped symbolic links and special files left out
     */
    public record Result(
            ObjectId manifestId, Manifest manifest, long files, long bytes, long newObjects, long skipped) {}

    /** Progress callbacks; called from worker threads, so implementations must be thread-safe. */
    public interface Listener {
        Listener NONE = new Listener() {};

        default void started(long files, long bytes) {}

        default void fileDone(String path, long size, boolean created) {}
    }

    /** Configures a {@link TreeIngester}. */
    public static final class Builder {
        private final ObjectStore store;
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private Listener listener = Listener.NONE;

        private Builder(ObjectStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Files ingested at once; default the number of cores. */
        public Builder parallelism(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1, got " + n);
            }
            this.parallelism = n;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public TreeIngester build() {
            return new TreeIngester(this);
        }
    }
}
