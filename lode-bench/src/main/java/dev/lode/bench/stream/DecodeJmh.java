package dev.lode.bench.stream;

import dev.lode.core.Sha256;
import dev.lode.stream.Compression;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The CPU stages of a load: verify (SHA-256 of the stored bytes) and decompress. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeJmh {
    @Param({"4096", "1048576"})
    public int size;

    private byte[] raw;
    private byte[] zstd;
    private byte[] lz4;

    @Setup(Level.Trial)
    public void setup() {
        raw = BenchData.assetBytes(size, 9);
        zstd = Compression.ZSTD.compress(raw);
        lz4 = Compression.LZ4.compress(raw);
    }

    @Benchmark
    public byte[] zstdDecompress() {
        return Compression.ZSTD.decompress(zstd, size, "bench");
    }

    @Benchmark
    public byte[] lz4Decompress() {
        return Compression.LZ4.decompress(lz4, size, "bench");
    }

    @Benchmark
    public Object verifyZstdStored() {
        return Sha256.of(zstd);
    }
}
