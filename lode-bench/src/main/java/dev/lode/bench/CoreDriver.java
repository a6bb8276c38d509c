package dev.lode.bench;

import dev.lode.core.Chunker;
import dev.lode.core.ChunkerConfig;
import dev.lode.core.ObjectDigester;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The Java side of {@code bench/run core}: makes the reproducible test tree and measures lode's
 * hashing and chunking kernels in-process (so JVM start-up is not counted against them).
 *
 * <pre>
 *   gen DIR MB          write the test tree (deterministic, about MB megabytes)
 *   hash FILE REPS      best-of-REPS SHA-256 throughput of a file, MB/s
 *   chunk FILE REPS     best-of-REPS one-core throughput, MB/s, of FastCDC + per-chunk SHA-256
 *                       (the chunk map, what casync's chunker computes), and of the whole ingest
 *                       pass (chunk map + whole-object SHA-256)
 * </pre>
 */
public final class CoreDriver {
    private CoreDriver() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CoreDriver gen DIR MB | hash FILE REPS | chunk FILE REPS");
            System.exit(2);
        }
        switch (args[0]) {
            case "gen" -> gen(Path.of(args[1]), Integer.parseInt(args[2]));
            case "hash" -> hash(Path.of(args[1]), Integer.parseInt(args[2]));
            case "chunk" -> chunk(Path.of(args[1]), Integer.parseInt(args[2]));
            default -> {
                System.err.println("unknown mode " + args[0]);
                System.exit(2);
            }
        }
    }

    // ---- the test tree ----

    private static final String[] WORDS = {
        "vertex",
        "normal",
        "texture",
        "albedo",
        "roughness",
        "metallic",
        "shader",
        "uniform",
        "float",
        "vec3",
        "vec4",
        "mat4",
        "return",
        "position",
        "material",
        "mesh",
        "node",
        "scene",
        "animation",
        "sampler2D",
        "0.125",
        "1.0",
        "-0.5",
        "\"name\":",
        "{",
        "}",
        "[",
        "]",
        ",",
        "\n",
        "  ",
        "if",
        "for",
        "main",
        "void",
        "light",
        "shadow",
        "bone",
        "weight",
        "index",
        "buffer",
        "accessor",
        "view"
    };

    static void gen(Path root, int totalMb) throws IOException {
        long target = (long) totalMb << 20;
        SplittableRandom rnd = new SplittableRandom(0x10de);
        long written = 0;
        // A few big files: incompressible (video/texture payloads), text (glTF JSON), mixed.
        long big = Math.max(1, target / 7);
        written += file(root.resolve("video/intro.mp4"), big, rnd, Kind.RANDOM);
        written += file(root.resolve("levels/world.gltf"), big * 2 / 3, rnd, Kind.TEXT);
        written += file(root.resolve("textures/atlas.dds"), big, rnd, Kind.MIXED);
        int i = 0;
        while (written < target) {
            Kind k = switch (i % 5) {
                case 0, 1 -> Kind.RANDOM;
                case 2, 3 -> Kind.TEXT;
                default -> Kind.MIXED;
            };
            String ext = switch (k) {
                case RANDOM -> (i % 2 == 0) ? "png" : "ogg";
                case TEXT -> (i % 2 == 0) ? "json" : "glsl";
                case MIXED -> "bin";
            };
            long size = (i % 50 == 0) ? 8L << 20 : 1024 + rnd.nextLong(600_000);
            size = Math.min(size, target - written);
            written += file(root.resolve("assets/d" + (i % 40) + "/f" + i + "." + ext), size, rnd, k);
            i++;
        }
        System.out.printf(Locale.ROOT, "generated %d files, %d MB in %s%n", i + 3, written >> 20, root);
    }

    private enum Kind {
        RANDOM,
        TEXT,
        MIXED
    }

    private static long file(Path p, long size, SplittableRandom rnd, Kind kind) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                int n = (int) Math.min(block.length, left);
                fill(block, n, rnd, kind);
                out.write(block, 0, n);
                left -= n;
            }
        }
        return size;
    }

    private static void fill(byte[] b, int n, SplittableRandom rnd, Kind kind) {
        switch (kind) {
            case RANDOM -> {
                for (int i = 0; i < n; i += 8) {
                    long v = rnd.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        b[i + j] = (byte) (v >>> (8 * j));
                    }
                }
            }
            case TEXT -> {
                int i = 0;
                while (i < n) {
                    byte[] w = WORDS[rnd.nextInt(WORDS.length)].getBytes(StandardCharsets.US_ASCII);
                    for (int j = 0; j < w.length && i < n; j++) {
                        b[i++] = w[j];
                    }
                    if (i < n) {
                        b[i++] = ' ';
                    }
                }
            }
            case MIXED -> {
                // Block-compressed texture-like data: runs of repeated 16-byte blocks with noise.
                int i = 0;
                while (i < n) {
                    long v = rnd.nextLong();
                    int run = 1 + rnd.nextInt(12);
                    for (int r = 0; r < run && i < n; r++) {
                        for (int j = 0; j < 16 && i < n; j++) {
                            b[i++] = (byte) ((v >>> (4 * (j % 16))) ^ (rnd.nextInt(16) == 0 ? rnd.nextInt(256) : 0));
                        }
                    }
                }
            }
        }
    }

    // ---- kernels ----

    static void hash(Path file, int reps) throws IOException {
        long size = Files.size(file);
        double best = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Sha256.ofFile(file);
            double mbps = size / 1e6 / ((System.nanoTime() - t0) / 1e9);
            best = Math.max(best, mbps);
        }
        System.out.printf(Locale.ROOT, "hash_mbps=%.1f%n", best);
    }

    static void chunk(Path file, int reps) throws IOException {
        long size = Files.size(file);
        double bestMap = 0;
        double bestFull = 0;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            Chunker c = new Chunker(ChunkerConfig.DEFAULT);
            feed(file, c::update);
            c.finish();
            bestMap = Math.max(bestMap, size / 1e6 / ((System.nanoTime() - t0) / 1e9));
            t0 = System.nanoTime();
            ObjectDigester d = new ObjectDigester(ChunkerConfig.DEFAULT);
            feed(file, d::update);
            d.finish();
            bestFull = Math.max(bestFull, size / 1e6 / ((System.nanoTime() - t0) / 1e9));
        }
        System.out.printf(Locale.ROOT, "chunk_mbps=%.1f ingest_pass_mbps=%.1f%n", bestMap, bestFull);
    }

    private interface Sink {
        void update(byte[] b, int off, int len);
    }

    /** Reads a (page-cached) file through a 1 MiB buffer on this thread. */
    private static void feed(Path file, Sink sink) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(buf);
            int n;
            while ((n = ch.read(bb.clear())) > 0) {
                sink.update(buf, 0, n);
            }
        }
    }
}
