package dev.lode.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One requested asset and its handles. {@code levels} are its LOD variants coarse to fine (just
 * the entry itself when it has none). Guarded by the streamer's lock.
 */
final class Tracked {
    final String path;
    final CatalogEntry entry;
    final List<Node> levels;
    final List<AssetHandle> handles = new ArrayList<>(1);
    final CompletableFuture<Loaded> first = new CompletableFuture<>();
    int pinnedLevel = -1;
    int wanted;
    int cap = Integer.MAX_VALUE;
    int reportedCap = Integer.MAX_VALUE;
    double priority;
    AssetLoadException failure;

    Tracked(String path, CatalogEntry entry, List<Node> levels) {
        this.path = path;
        this.entry = entry;
        this.levels = levels;
    }
}
