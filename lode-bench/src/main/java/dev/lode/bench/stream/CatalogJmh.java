package dev.lode.bench.stream;

import dev.lode.core.Manifest;
import dev.lode.core.ManifestEntry;
import dev.lode.core.ObjectId;
import dev.lode.stream.AssetCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Catalog kernels on a memory-mapped catalog of 100,000 entries. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CatalogJmh {
    private AssetCatalog catalog;
    private List<String> paths;
    private List<ObjectId> ids;
    private Path file;
    private int i;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Manifest m = BenchData.manifest(100_000, 1);
        file = Files.createTempFile("lode-catalog-", ".bin");
        AssetCatalog.write(m, file);
        catalog = AssetCatalog.open(file);
        paths = m.entries().stream().map(ManifestEntry::path).toList();
        ids = m.entries().stream().map(ManifestEntry::sha256).toList();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Files.deleteIfExists(file);
    }

    private int next() {
        i = (i + 7919) % 100_000;
        return i;
    }

    /** Path → ordinal through the hash index. */
    @Benchmark
    public int ordinalByPath() {
        return catalog.ordinalOf(paths.get(next()));
    }

    /** Path → full entry (decodes strings and lists from the map). */
    @Benchmark
    public long entryByPath() {
        return catalog.byPath(paths.get(next())).orElseThrow().size();
    }

    /** Object id → full entry (binary search over the id order). */
    @Benchmark
    public long entryById() {
        return catalog.byId(ids.get(next())).orElseThrow().size();
    }

    /** Opening the file: mmap and header checks, independent of the entry count. */
    @Benchmark
    public int open() {
        return AssetCatalog.open(file).size();
    }
}
