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

    @Override
    public Integer call() throws Exception {
        long bytesPerSecond = TokenBucket.parseRate(rate);
        if (listen != null) {
            if (url != null) {
                throw new CliException("give either URL or --listen, not both", 2);
            }
            return listen(bytesPerSecond);
        }
        if (url == null || plugin == null) {
            throw new CliException("need URL and --plugin ID (or --listen udp://HOST:PORT)", 2);
        }
        ProgressPrinter printer = new ProgressPrinter(quiet);
        try (AssetClient client = AssetClient.builder()
                .cacheDir(cache)
                .runtimeDir(runtime)
                .rate(bytesPerSecond)
                .listener(printer)
                .build()) {
            PluginState.Ready r;
            try {
                r = client.fetch(url, plugin).get();
            } catch (ExecutionException e) {
                throw new CliException(e.getCause().getMessage());
            } finally {
                printer.finish();
            }
            if (minVersion != null) {
                client.requireMinVersion(plugin, minVersion);
                if (!client.isReady(plugin)) {
                    throw new CliException(
                            "plugin " + plugin + " is at " + r.version() + ", below --min-version " + minVersion);
                }
            }
            System.out.println(r.path());
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

        ProgressPrinter(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public synchronized void onState(long pluginId, PluginState s) {
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

        synchronized void finish() {
            if (open) {
                System.err.println();
                open = false;
            }
        }
    }
}
