package dev.lode.bundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Seeded random folder trees and folder comparisons for tests. */
final class TestTrees {
    private TestTrees() {}

    /** Writes a random tree of about {@code files} files under {@code root}; returns path → bytes. */
    static Map<String, byte[]> randomTree(Path root, Random rnd, int files) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        String[] dirs = {"", "models/", "textures/", "textures/hd/", "audio/", "scripts/é/", "a/b/c/d/"};
        for (int i = 0; i < files; i++) {
            String path = dirs[rnd.nextInt(dirs.length)] + "f" + i + (rnd.nextBoolean() ? ".txt" : ".bin");
            byte[] data = randomContent(rnd);
            Path p = root.resolve(path);
            Files.createDirectories(p.getParent());
            Files.write(p, data);
            out.put(path, data);
        }
        return out;
    }

    static byte[] randomContent(Random rnd) {
        int kind = rnd.nextInt(4);
        int size = switch (rnd.nextInt(4)) {
            case 0 -> rnd.nextInt(3); // empty and tiny
            case 1 -> rnd.nextInt(200);
            case 2 -> rnd.nextInt(20_000);
            default -> rnd.nextInt(300_000);
        };
        byte[] b = new byte[size];
        switch (kind) {
            case 0 -> rnd.nextBytes(b); // incompressible
            case 1 -> {
                StringBuilder s = new StringBuilder();
                while (s.length() < size) {
                    s.append("vertex ")
                            .append(rnd.nextInt(1000))
                            .append(' ')
                            .append(rnd.nextInt(1000))
                            .append('\n');
                }
                System.arraycopy(s.toString().getBytes(StandardCharsets.US_ASCII), 0, b, 0, size);
            }
            case 2 -> java.util.Arrays.fill(b, (byte) rnd.nextInt(256)); // runs
            default -> {
                for (int i = 0; i < size; i++) {
                    b[i] = (byte) (rnd.nextInt(4) == 0 ? rnd.nextInt(256) : 'a' + rnd.nextInt(3));
                }
            }
        }
        return b;
    }

    /** Every regular file under {@code root}: relative '/'-path → bytes. */
    static Map<String, byte[]> read(Path root) {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Names in {@code dir} (not recursive), sorted. */
    static java.util.List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, returning exit code; output goes to {@code log} (stdout and stderr merged). */
    static int run(Path dir, StringBuilder log, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
            log.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            return p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
