package dev.lode.bench;

import dev.lode.bundle.PluginPacker;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The Java side of {@code bench/run pull}: packs test plugins in one JVM (packing a thousand small
 * plugins with a thousand {@code lode pack} runs would time JVM start-up, not lode).
 *
 * <pre>
 *   plugin PLUGINS NAME ID MB      one plugin holding one MB-megabyte incompressible file
 *   small PLUGINS FIRST_ID N KB    N plugins of one KB-kilobyte file each
 * </pre>
 */
public final class PullDriver {
    private PullDriver() {}

    public static void main(String[] args) throws IOException {
        switch (args.length > 0 ? args[0] : "") {
            case "plugin" -> plugin(Path.of(args[1]), args[2], Long.parseLong(args[3]), Long.parseLong(args[4]) << 20);
            case "small" -> {
                Path out = Path.of(args[1]);
                long first = Long.parseLong(args[2]);
                int n = Integer.parseInt(args[3]);
                long bytes = Long.parseLong(args[4]) << 10;
                for (int i = 0; i < n; i++) {
                    plugin(out, "small-" + (first + i), first + i, bytes);
                }
            }
            default -> {
                System.err.println("usage: PullDriver plugin PLUGINS NAME ID MB | small PLUGINS FIRST_ID N KB");
                System.exit(2);
            }
        }
    }

    private static void plugin(Path plugins, String name, long id, long bytes) throws IOException {
        Path src = Files.createTempDirectory("lode-bench-src").resolve(name);
        Files.createDirectories(src);
        SplittableRandom rnd = new SplittableRandom(id);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(src.resolve("payload.bin"))) {
            long left = bytes;
            while (left > 0) {
                int n = (int) Math.min(block.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = rnd.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        block[i + j] = (byte) (v >>> (8 * j));
                    }
                }
                out.write(block, 0, n);
                left -= n;
            }
        }
        Files.createDirectories(plugins);
        PluginPacker.builder().pluginId(id).version("1.0.0").level(1).build().pack(src, plugins);
        Files.delete(src.resolve("payload.bin"));
        Files.delete(src);
        Files.delete(src.getParent());
    }
}
