package dev.lode.cli;

import dev.lode.client.AssetClient;
import dev.lode.client.PluginState;
import dev.lode.client.TokenBucket;
import dev.lode.client.UdpChannel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lode pull}: download a plugin bundle into a verified cache, or follow a server's announcements. */
@Command(
        name = "pull",
        mixinStandardHelpOptions = true,
        description = {
            "Download a plugin's bundle into the cache, verify it and unpack it into the runtime folder.",
            "  lode pull http://HOST:37015/plugins/7/manifest --plugin 7",
            "  lode pull --listen udp://HOST:37016     (follow a server's prefetch packets; keeps running)"
        })
final class PullCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "URL", description = "The plugin's manifest URL.")
    URI url;

    @Option(names = "--plugin", paramLabel = "ID", description = "Plugin id (required with URL).")
    Long plugin;

    @Option(names = "--listen", paramLabel = "udp://HOST:PORT", description = "Subscribe to a server's announcements.")
    URI listen;

    @Option(
            names = "--cache",
            paramLabel = "DIR",
            defaultValue = "cache",
            description = "Bundle cache (default: ${DEFAULT-VALUE}).")
    Path cache;

    @Option(
            names = "--runtime",
            paramLabel = "DIR",
            defaultValue = "runtime_cache",
            description = "Runtime folder; plugins unpack to DIR/plugins/<id> (default: ${DEFAULT-VALUE}).")
    Path runtime;

    @Option(
            names = "--rate",
            paramLabel = "RATE",
            defaultValue = "8MB/s",
            description = "Download limit, e.g. 8MB/s, 500KB/s, 0 for unlimited (default: ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--min-version", paramLabel = "V", description = "Fail unless the installed version is at least V.")
    String minVersion;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress output.")
    boolean quiet;

    @Option(
            names = "--jobs",
            paramLabel = "N",
            defaultValue = "8",
            description = "Plugins downloaded at once (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--download-only", description = "Download and verify into the cache; do not unpack.")
    boolean downloadOnly;

    @Option(
            names = "--list",
            paramLabel = "FILE",
            description = "Pull many plugins: FILE has one 'MANIFEST-URL PLUGIN-ID' per line.")
    Path list;

    @Override
    public Integer call() throws Exception {
        long bytesPerSecond = TokenBucket.parseRate(rate);
        if (listen != null) {
            if (url != null || list != null) {
                throw new CliException("give either URL, --list or --listen", 2);
            }
            return listen(bytesPerSecond);
        }
        java.util.List<java.util.Map.Entry<URI, Long>> targets = new java.util.ArrayList<>();
        if (list != null) {
            if (url != null) {
                throw new CliException("give either URL or --list, not both", 2);
            }
            int n = 0;
            for (String line : java.nio.file.Files.readAllLines(list)) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] parts = t.split("\\s+");
                try {
                    targets.add(java.util.Map.entry(URI.create(parts[0]), Long.parseLong(parts[1])));
                } catch (RuntimeException e) {
                    throw new CliException(list + ":" + n + ": expected 'MANIFEST-URL PLUGIN-ID', got '" + t + "'", 2);
                }
            }
        } else {
            if (url == null || plugin == null) {
                throw new CliException("need URL and --plugin ID (or --list FILE, or --listen udp://HOST:PORT)", 2);
            }
            targets.add(java.util.Map.entry(url, plugin));
        }
        ProgressPrinter printer = new ProgressPrinter(quiet || targets.size() > 1);
        long t0 = System.nanoTime();
        try (AssetClient client = AssetClient.builder()
                .cacheDir(cache)
                .runtimeDir(runtime)
                .rate(bytesPerSecond)
                .maxConcurrent(jobs)
                .listener(printer)
                .build()) {
            java.util.List<java.util.concurrent.CompletableFuture<?>> futures = new java.util.ArrayList<>();
            for (var t : targets) {
                futures.add(
                        downloadOnly
                                ? client.prefetch(t.getKey(), t.getValue())
                                : client.fetch(t.getKey(), t.getValue()));
            }
            int failed = 0;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    Object r = futures.get(i).get();
                    if (targets.size() == 1) {
                        printer.finish();
                        System.out.println(r instanceof PluginState.Ready ready ? ready.path() : r);
                    }
                } catch (ExecutionException e) {
                    failed++;
                    printer.finish();
                    System.err.println("lode pull: error: " + e.getCause().getMessage());
                }
            }
            printer.finish();
            if (!quiet) {
                printer.summary(targets.size() - failed, failed, (System.nanoTime() - t0) / 1e9);
            }
            if (failed > 0) {
                return 1;
            }
            if (minVersion != null && targets.size() == 1 && !downloadOnly) {
                client.requireMinVersion(plugin, minVersion);
                if (!client.isReady(plugin)) {
                    throw new CliException("plugin " + plugin + " is below --min-version " + minVersion);
                }
            }
            return 0;
        }
    }

    private int listen(long bytesPerSecond) throws Exception {
        if (!"udp".equals(listen.getScheme()) || listen.getHost() == null || listen.getPort() < 0) {
            throw new CliException("--listen wants udp://HOST:PORT, got " + listen, 2);
        }
        ProgressPrinter printer = new ProgressPrinter(quiet);
        AssetClient[] holder = new AssetClient[1];
        try (UdpChannel channel = new UdpChannel(
                        new InetSocketAddress(listen.getHost(), listen.getPort()),
                        packet -> {
                            System.err.printf(
                                    "announced: plugin %d bundle %s%n",
                                    packet.pluginId(), packet.sha256().shortHex(12));
                            holder[0].onPacket(packet).whenComplete((r, e) -> {
                                if (e != null) {
                                    System.err.println("plugin " + packet.pluginId() + ": " + e.getMessage());
                                } else {
                                    System.err.println("plugin " + packet.pluginId() + " ready: " + r.version() + " at "
                                            + r.path());
                                }
                            });
                        },
                        Duration.ofSeconds(1));
                AssetClient client = AssetClient.builder()
                        .cacheDir(cache)
                        .runtimeDir(runtime)
                        .rate(bytesPerSecond)
                        .listener(printer)
                        .latencySource(channel)
                        .build()) {
            holder[0] = client;
            System.err.println("listening to " + listen + " (Ctrl-C to stop)");
            new CountDownLatch(1).await();
            return 0;
        }
    }

    /** Prints state changes: a progress line on a terminal, plain lines otherwise. */
    private static final class ProgressPrinter implements dev.lode.client.StateListener {
        private final boolean quiet;
        private final boolean terminal = System.console() != null && System.getenv("CI") == null;
        private long lastLine;
        private boolean open;
        private long bytes;
        private double lastRate;

        ProgressPrinter(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public synchronized void onState(long pluginId, PluginState s) {
            if (s instanceof PluginState.Downloading d && d.done() == d.total()) {
                bytes += d.total();
                lastRate = d.bytesPerSecond();
            }
            if (quiet) {
                return;
            }
            long now = System.nanoTime();
            if (s instanceof PluginState.Downloading d) {
                String eta = d.bytesPerSecond() > 0
                        ? String.format(Locale.ROOT, "%.0fs", (d.total() - d.done()) / d.bytesPerSecond())
                        : "?";
                String line = String.format(
                        Locale.ROOT,
                        "plugin %d %s: %s / %s (%3.0f%%) %s/s ETA %s",
                        pluginId,
                        d.version(),
                        Units.bytes(d.done()),
                        Units.bytes(d.total()),
                        d.fraction() * 100,
                        Units.bytes((long) d.bytesPerSecond()),
                        eta);
                if (terminal) {
                    System.err.print("\r" + line + "   ");
                    open = true;
                } else if (now - lastLine > 2_000_000_000L || d.done() == d.total()) {
                    lastLine = now;
                    System.err.println(line);
                }
                return;
            }
            finish();
            System.err.println("plugin " + pluginId + ": " + s.describe());
        }

        /** One closing line; the transfer rate is measured from the first to the last byte. */
        synchronized void summary(int ok, int failed, double seconds) {
            System.err.printf(
                    Locale.ROOT,
                    "pulled %d plugin(s)%s, %d bytes downloaded in %.3f s; last transfer %.0f B/s%n",
                    ok,
                    failed > 0 ? ", " + failed + " failed" : "",
                    bytes,
                    seconds,
                    lastRate);
        }

        synchronized void finish() {
            if (open) {
                System.err.println();
                open = false;
            }
        }
    }
}
