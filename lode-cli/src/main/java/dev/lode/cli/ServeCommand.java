package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.core.ObjectStores;
import dev.lode.core.Quietly;
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
            "With no flags: port 37015 on all interfaces, data folder with store and SQLite catalog.",
            "Several servers may share one bucket (--store s3://...) and one PostgreSQL",
            "catalog (--catalog jdbc:postgresql://...): each sees the others' uploads."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "TCP port (default ${DEFAULT-VALUE}).")
    int port = 37015;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind = "0.0.0.0";

    @Mixin
    StoreOptions storage;

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

    @Option(
            names = "--cdn-base",
            paramLabel = "URL",
            description = "CDN base URL for public tenant assets. With an S3 store the CDN's origin is the"
                    + " bucket (URL/[PREFIX/]TENANT/objects/SHA256); otherwise this server (URL/t/TENANT/...).")
    String cdnBase;

    @Option(
            names = "--cdn-origin-server",
            description = "With an S3 store, the CDN's origin is still this server, not the bucket.")
    boolean cdnOriginServer;

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

    /** A running server and what it opened, closed together. */
    record Running(LodeServer server, ObjectStores stores, Catalog catalog) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            Quietly.close(stores); // before the catalog: replication frees its queue claims there
            Quietly.close(catalog);
        }
    }

    /** Opens the store and catalog and starts the server (used by {@link #call} and tests). */
    Running start() {
        if (announceUdp != null && plugins == null) {
            throw new CliException("--announce-udp needs --plugins DIR (it announces plugins)", 2);
        }
        String key = adminKey();
        Catalog catalog = storage.openCatalog();
        ObjectStores stores = null;
        try {
            stores = storage.openStores(catalog);
            LodeServer.Builder b = LodeServer.builder(storage.dataDir())
                    .port(port)
                    .bind(bind)
                    .stores(stores)
                    .catalog(catalog)
                    .pluginsDir(plugins)
                    .stageFrom(stageFrom, dev.lode.server.Durations.parse(stageTimeout))
                    .adminKey(key)
                    .cdnBase(cdnBase)
                    .cdnInFrontOfServer(cdnOriginServer)
                    .tls(tlsCert, tlsKey)
                    .idleTimeout(dev.lode.server.Durations.parse(idleTimeout))
                    .gcEvery(dev.lode.server.Durations.parse(gcEvery))
                    .gc(dev.lode.server.GcOptions.DEFAULTS
                            .withOlderThan(dev.lode.server.Durations.parse(gcOlderThan))
                            .withGrace(dev.lode.server.Durations.parse(gcGrace)));
            if (corsOrigins != null && !corsOrigins.isEmpty()) {
                b.corsOrigins(corsOrigins);
            }
            return new Running(b.build().start(), stores, catalog);
        } catch (RuntimeException e) {
            Quietly.close(stores);
            Quietly.close(catalog);
            throw e;
        }
    }

    private String adminKey() {
        String key = adminKey != null ? adminKey : System.getenv("LODE_ADMIN_KEY");
        return key == null || key.isBlank() ? null : key;
    }

    @Override
    public Integer call() throws Exception {
        Running running = start();
        LodeServer server = running.server();
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
            Quietly.close(toClose);
            running.close();
            stopped.countDown();
        }));
        server.plugins()
                .ifPresent(reg -> reg.addListener(c -> System.err.println("lode serve: plugin " + describe(c))));
        System.err.printf(
                "lode serve: listening on %s://%s:%d (%s), store %s, catalog %s%s%n",
                tlsCert != null ? "https" : "http",
                bind,
                server.port(),
                server.usesEpoll() ? "epoll" : "nio",
                storage.describeStore(),
                storage.describeCatalog(),
                adminKey() == null ? " (no admin key: PUT/DELETE /assets disabled)" : "");
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
