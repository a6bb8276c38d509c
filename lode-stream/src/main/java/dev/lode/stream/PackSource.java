package dev.lode.stream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Reads objects from a {@link PackFile} with positional reads (safe from many threads). */
final class PackSource implements AssetSource {
    private final PackFile pack;
    private final Executor executor;

    PackSource(PackFile pack, Executor executor) {
        this.pack = pack;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<byte[]> read(CatalogEntry entry) {
        return CompletableFuture.supplyAsync(() -> pack.read(entry.id()), executor);
    }
}
