package dev.lode.cli;

import dev.lode.server.LodeServer;
import dev.lode.server.PluginChange;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lode serve}: runs the asset server until interrupted. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve assets, objects, plugins and tenant uploads over HTTP(S).",
            "With no flags: port 37015 on all interfaces, data folder with store and SQLite catalog."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default ${DEFAULT-VALUE}).")
    int port = 37015;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind = "0.0.0.0";

    @Mixin
    DataOptions data;

    @Option(names = "--plugins", paramLabel = "DIR", description = "Serve plugins packed into DIR (watched).")
    Path plugins;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Certificate chain (PEM) for HTTPS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key (PKCS#8 PEM) for HTTPS.")
    Path tlsKey;

    @Option(
            names = "--stage-from",
            paramLabel = "URL-TEMPLATE|DIR",
            description = "Fetch missing assets from an http(s) URL template with {id}, or a folder.")
    String stageFrom;

    @Option(
            names = "--stage-timeout",
            paramLabel = "DURATION",
            description = "Timeout for a staging fetch (default ${DEFAULT-VALUE}).")
    String stageTimeout = "30s";

    @Option(names = "--cdn-base", paramLabel = "URL", description = "CDN base URL for public tenant assets.")
    String cdnBase;

    @Option(
            names = "--admin-key",
            paramLabel = "KEY",
            description = "Bearer key for PUT/DELETE /assets (default: $LODE_ADMIN_KEY).")
    String adminKey;

    @Option(
            names = "--cors-origin",
            paramLabel = "ORIGIN",
            description = "Allowed CORS origin, repeatable (default: any).")
    List<String> corsOrigins;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            description = "Close connections idle this long (default ${DEFAULT-VALUE}).")
    String idleTimeout = "60s";

    @Option(
            names = "--announce-udp",
            paramLabel = "PORT",
            description = "Send prefetch packets to clients subscribed on this UDP port (needs --plugins).")
    Integer announceUdp;

    @Option(
            names = "--public-host",
            paramLabel = "HOST",
            description = "Host name or IP clients use to reach this server, for announced URLs"
                    + " (default: the bind address, or this machine's address when binding all).")
    String publicHost;

    @Option(
            names = "--gc-every",
            paramLabel = "DURATION",
            description = "Collect garbage this often, 0 for never (default ${DEFAULT-VALUE}; see lode gc).")
    String gcEvery = "6h";

    @Option(
            names = "--gc-older-than",
            paramLabel = "DURATION",
            description = "Retention of a tenant run for the scheduled collection (default ${DEFAULT-VALUE}).")
    String gcOlderThan = "30d";

    @Option(
            names = "--gc-grace",
            paramLabel = "DURATION",
            description = "Unreferenced objects younger than this are kept (default ${DEFAULT-VALUE}).")
    String gcGrace = "1h";

    @Override
    public Integer call() throws Exception {
        if (announceUdp != null && plugins == null) {
            throw new CliException("--announce-udp needs --plugins DIR (it announces plugins)", 2);
        }
        String key = adminKey != null ? adminKey : System.getenv("LODE_ADMIN_KEY");
        LodeServer.Builder b = LodeServer.builder(data.dataDir())
                .port(port)
                .bind(bind)
                .pluginsDir(plugins)
                .stageFrom(stageFrom, dev.lode.server.Durations.parse(stageTimeout))
                .adminKey(key == null || key.isBlank() ? null : key)
                .cdnBase(cdnBase)
                .tls(tlsCert, tlsKey)
                .idleTimeout(dev.lode.server.Durations.parse(idleTimeout))
                .gcEvery(dev.lode.server.Durations.parse(gcEvery))
                .gc(dev.lode.server.GcOptions.DEFAULTS
                        .withOlderThan(dev.lode.server.Durations.parse(gcOlderThan))
                        .withGrace(dev.lode.server.Durations.parse(gcGrace)));
        if (corsOrigins != null && !corsOrigins.isEmpty()) {
            b.corsOrigins(corsOrigins);
        }
        LodeServer server = b.build().start();
        PluginAnnouncements announcements = null;
        if (announceUdp != null) {
            String host = publicHost != null ? publicHost : defaultPublicHost();
            announcements = new PluginAnnouncements(
                    server.plugins().orElseThrow(),
                    new java.net.InetSocketAddress(bind, announceUdp),
                    tlsCert != null ? "https" : "http",
                    host,
                    server.port());
            System.err.printf("lode serve: announcing plugins on udp %s as %s%n", announcements.address(), host);
        }
        PluginAnnouncements toClose = announcements;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("lode serve: shutting down");
            if (toClose != null) {
                try {
                    toClose.close();
                } catch (Exception e) {
                    // shutting down anyway
                }
            }
            server.close();
            stopped.countDown();
        }));
        server.plugins()
                .ifPresent(reg -> reg.addListener(c -> System.err.println("lode serve: plugin " + describe(c))));
        System.err.printf(
                "lode serve: listening on %s://%s:%d (%s), data %s%s%n",
                tlsCert != null ? "https" : "http",
                bind,
                server.port(),
                server.usesEpoll() ? "epoll" : "nio",
                data.dataDir().toAbsolutePath(),
                key == null ? " (no admin key: PUT/DELETE /assets disabled)" : "");
        stopped.await();
        return 0;
    }

    private String defaultPublicHost() {
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            return bind;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostAddress();
        } catch (java.io.IOException e) {
            return "127.0.0.1";
        }
    }

    private static String describe(PluginChange c) {
        return switch (c) {
            case PluginChange.Added a ->
                "added " + a.pluginId() + " " + a.plugin().version();
            case PluginChange.Updated u ->
                "updated " + u.pluginId() + " " + u.previous().version() + " -> "
                        + u.plugin().version();
            case PluginChange.Removed r -> "removed " + r.pluginId();
        };
    }
}
