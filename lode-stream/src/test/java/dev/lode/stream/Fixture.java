package dev.lode.stream;

import dev.lode.core.LocalObjectStore;
import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import dev.lode.core.ObjectId;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A real object store plus the manifest entries put into it. */
final class Fixture {
    final LocalObjectStore store;
    final List<ManifestEntry> entries = new ArrayList<>();

    Fixture(Path dir) {
        this.store =
                LocalObjectStore.builder(dir.resolve("store")).durable(false).build();
    }

    Asset asset(String path, String type, byte[] raw) {
        return new Asset(path, type, raw);
    }

    AssetCatalog catalog() {
        return AssetCatalog.of(Manifest.of(entries, Map.of()));
    }

    final class Asset {
        private final String path;
        private final String type;
        private final byte[] raw;
        private Compression compression = Compression.NONE;
        private List<String> deps = List.of();
        private List<String> variants = List.of();
        private List<String> tags = List.of();
        private Bounds bounds;
        private boolean stored = true;

        Asset(String path, String type, byte[] raw) {
            this.path = path;
            this.type = type;
            this.raw = raw;
        }

        Asset compression(Compression c) {
            this.compression = c;
            return this;
        }

        Asset deps(String... d) {
            this.deps = List.of(d);
            return this;
        }

        Asset variants(String... v) {
            this.variants = List.of(v);
            return this;
        }

        Asset tags(String... t) {
            this.tags = List.of(t);
            return this;
        }

        Asset bounds(double x, double y, double z, double r) {
            this.bounds = new Bounds(x, y, z, r);
            return this;
        }

        /** In the manifest but not in the store. */
        Asset missing() {
            this.stored = false;
            return this;
        }

        ObjectId add() {
            byte[] storedBytes = compression.compress(raw);
            ObjectId id = stored ? store.putBytes(storedBytes).id() : dev.lode.core.Sha256.of(storedBytes);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("compression", compression.metaName());
            meta.put("rawSize", Integer.toString(raw.length));
            if (bounds != null) {
                meta.put("bounds", bounds.toMeta());
            }
            entries.add(new ManifestEntry(path, storedBytes.length, id, type, null, tags, deps, variants, meta));
            return id;
        }
    }

    /** A source whose reads complete only when the test says so, in any order. */
    static final class GatedSource implements AssetSource {
        private final AssetSource inner;
        private final Map<String, CatalogEntry> entries = new HashMap<>();
        final Map<String, CompletableFuture<byte[]>> pending = new LinkedHashMap<>();
        final List<String> started = new ArrayList<>();

        GatedSource(AssetSource inner) {
            this.inner = inner;
        }

        @Override
        public synchronized CompletableFuture<byte[]> read(CatalogEntry entry) {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            pending.put(entry.path(), f);
            entries.put(entry.path(), entry);
            started.add(entry.path());
            return f;
        }

        /** Completes the read of {@code path} from the real store. */
        void finish(String path) {
            CompletableFuture<byte[]> f;
            CatalogEntry e;
            synchronized (this) {
                f = pending.remove(path);
                e = entries.get(path);
            }
            if (f == null) {
                throw new IllegalStateException("no pending read of " + path + "; pending " + pending.keySet());
            }
            inner.read(e).whenComplete((b, err) -> {
                if (err != null) {
                    f.completeExceptionally(err);
                } else {
                    f.complete(b);
                }
            });
        }
    }
}
