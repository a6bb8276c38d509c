package dev.lode.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lode.bundle.PackResult;
import dev.lode.bundle.PluginPacker;
import dev.lode.core.Quietly;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code lode aot-train} (hidden): the training run the {@code ./lode} launcher records once per
 * build into an AOT cache (JDK 25, JEP 483/514) so later runs start with their classes already
 * loaded and linked. It runs the commands whose start-up counts, in this process and offline: the
 * command-line model of every subcommand, and a real {@code lode pull} (manifest, download, SHA-256,
 * unzip) of a small plugin from a loopback HTTP server started here. It changes nothing outside a
 * temporary folder, which it deletes.
 */
@Command(name = "aot-train", hidden = true, description = "Training run for the launcher's start-up cache (internal).")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Option(
            names = "--work",
            paramLabel = "DIR",
            description = "Where to make the temporary folder (default: the system's).")
    Path work;

    @Override
    public Integer call() throws Exception {
        Path tmp = work == null
                ? Files.createTempDirectory("lode-aot-train")
                : Files.createTempDirectory(work, "lode-aot-train");
        HttpServer server = null;
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        try {
            PackResult pack = pack(tmp);
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            server.createContext("/plugins/1/", ex -> serve(ex, pack));
            server.start();
            String manifest = "http://127.0.0.1:" + server.getAddress().getPort() + "/plugins/1/manifest";
            System.setOut(discard);
            System.setErr(discard);
            int rc = 0;
            // The full and the download-only flows, then a second run that finds the cache warm.
            for (String[] args : new String[][] {
                {"pull", manifest, "--plugin", "1", "--rate", "0", "-q"},
                {"pull", manifest, "--plugin", "1", "--rate", "0", "-q"},
                {"pull", manifest, "--plugin", "1", "--rate", "0", "-q", "--download-only"}
            }) {
                String[] full = Stream.concat(
                                Stream.of(args),
                                Stream.of(
                                        "--cache", tmp.resolve("cache").toString(),
                                        "--runtime", tmp.resolve("runtime").toString()))
                        .toArray(String[]::new);
                rc |= Lode.run(full);
            }
            // Help and version output walk the rest of the command model.
            CommandLine cl = Lode.commandLine();
            cl.setOut(new PrintWriter(new StringWriter()));
            cl.execute("--version");
            cl.execute("pull", "--help");
            return rc == 0 ? 0 : 1;
        } finally {
            System.setOut(out);
            System.setErr(err);
            if (server != null) {
                server.stop(0);
            }
            deleteTree(tmp);
        }
    }

    private static PackResult pack(Path tmp) throws IOException {
        Path src = tmp.resolve("src").resolve("training");
        Files.createDirectories(src);
        byte[] b = new byte[256 * 1024];
        new Random(1).nextBytes(b);
        Files.write(src.resolve("payload.bin"), b);
        Files.writeString(src.resolve("init.txt"), "training");
        return PluginPacker.builder().pluginId(1).version("1.0.0").build().pack(src, tmp.resolve("plugins"));
    }

    private static void serve(HttpExchange ex, PackResult pack) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring("/plugins/1/".length());
            Path file = name.equals("manifest")
                    ? pack.manifestFile()
                    : name.equals(pack.bundleFile().getFileName().toString()) ? pack.bundleFile() : null;
            if (file == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("ETag", "\"" + name + "\"");
            ex.sendResponseHeaders(200, Files.size(file));
            try (OutputStream os = ex.getResponseBody()) {
                Files.copy(file, os);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(Quietly::delete);
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }
}
