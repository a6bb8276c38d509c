package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.core.LocalObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Everything a request handler needs, shared by all connections of one server. */
final class ServerContext implements AutoCloseable {
    private final LocalObjectStore store;
    private final SmallObjectCache smallObjects;
    private final Catalog catalog;
    private final AssetService assets;
    private final TenantService tenants;
    private final PluginRegistry plugins;
    private final Metrics metrics;
    private final ServedBytes served;
    private final String adminKey;
    private final String cdnBase;
    private final List<String> corsOrigins;
    private final boolean tls;
    private final long bodyReadTimeoutMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean shuttingDown;

    private ServerContext(LodeServer.Builder b, boolean tls, LocalObjectStore store, Catalog catalog) {
        this.store = store;
        this.smallObjects = new SmallObjectCache(store, 64L << 20);
        this.catalog = catalog;
        this.metrics = new Metrics();
        Path tmp = b.dataDir.resolve("tmp");
        Precompressor pre = new Precompressor(store, catalog, tmp);
        Stager stager = b.stageFrom == null ? null : new Stager(b.stageFrom, metrics);
        this.assets = new AssetService(store, catalog, pre, stager);
        String node = b.nodeId != null ? b.nodeId : InterruptedUploads.defaultNode(b.dataDir);
        this.tenants = new TenantService(store, catalog, pre, assets, b.dataDir.resolve("uploads"), node);
        this.served = new ServedBytes(catalog);
        InterruptedUploads.fail(catalog, node);
        this.plugins = b.pluginsDir == null ? null : PluginRegistry.watch(b.pluginsDir, b.pluginRescan);
        this.adminKey = b.adminKey;
        this.cdnBase = b.cdnBase;
        this.corsOrigins = b.corsOrigins;
        this.tls = tls;
        this.bodyReadTimeoutMillis = b.idleTimeout.toMillis();
    }

    static ServerContext open(LodeServer.Builder b, boolean tls) {
        LocalObjectStore store = LocalObjectStore.open(b.dataDir.resolve("store"));
        Catalog catalog = Catalog.openSqlite(b.dataDir.resolve("catalog.db"));
        try {
            return new ServerContext(b, tls, store, catalog);
        } catch (RuntimeException e) {
            catalog.close();
            store.close();
            throw e;
        }
    }

    LocalObjectStore store() {
        return store;
    }

    SmallObjectCache smallObjects() {
        return smallObjects;
    }

    Catalog catalog() {
        return catalog;
    }

    AssetService assets() {
        return assets;
    }

    TenantService tenants() {
        return tenants;
    }

    PluginRegistry plugins() {
        return plugins;
    }

    Metrics metrics() {
        return metrics;
    }

    ServedBytes served() {
        return served;
    }

    String adminKey() {
        return adminKey;
    }

    String cdnBase() {
        return cdnBase;
    }

    List<String> corsOrigins() {
        return corsOrigins;
    }

    boolean tls() {
        return tls;
    }

    long bodyReadTimeoutMillis() {
        return bodyReadTimeoutMillis;
    }

    int inFlight() {
        return inFlight.get();
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    void beginShutdown() {
        shuttingDown = true;
    }

    @Override
    public void close() {
        if (plugins != null) {
            plugins.close();
        }
        catalog.close();
        store.close();
    }
}
