package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectStores;
import dev.lode.core.Quietly;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Everything a request handler needs, shared by all connections of one server. */
final class ServerContext implements AutoCloseable {
    private final ObjectStores stores;
    private final boolean ownsStores;
    private final SmallObjectCache smallObjects;
    private final Catalog catalog;
    private final boolean ownsCatalog;
    private final AssetService assets;
    private final TenantService tenants;
    private final PluginRegistry plugins;
    private final Metrics metrics;
    private final ServedBytes served;
    private final String adminKey;
    private final String cdnBase;
    private final boolean cdnInFrontOfServer;
    private final List<String> corsOrigins;
    private final boolean tls;
    private final long bodyReadTimeoutMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean shuttingDown;

    private ServerContext(
            LodeServer.Builder b,
            boolean tls,
            ObjectStores stores,
            Catalog catalog,
            boolean ownsStores,
            boolean ownsCatalog) {
        this.stores = stores;
        this.ownsStores = ownsStores;
        this.smallObjects = new SmallObjectCache(64L << 20);
        this.catalog = catalog;
        this.ownsCatalog = ownsCatalog;
        this.metrics = new Metrics();
        Path tmp = b.dataDir.resolve("tmp");
        Precompressor pre = new Precompressor(catalog, tmp);
        Stager stager = b.stageFrom == null ? null : new Stager(b.stageFrom, metrics);
        this.assets = new AssetService(stores, catalog, pre, stager, b.catalogCacheTtl());
        String node = b.nodeId != null ? b.nodeId : InterruptedUploads.defaultNode(b.dataDir);
        this.tenants = new TenantService(stores, catalog, pre, assets, node);
        this.served = new ServedBytes(catalog);
        InterruptedUploads.fail(catalog, node);
        this.plugins = b.pluginsDir == null ? null : PluginRegistry.watch(b.pluginsDir, b.pluginRescan);
        this.adminKey = b.adminKey;
        this.cdnBase = b.cdnBase;
        this.cdnInFrontOfServer = b.cdnInFrontOfServer;
        this.corsOrigins = b.corsOrigins;
        this.tls = tls;
        this.bodyReadTimeoutMillis = b.idleTimeout.toMillis();
    }

    /**
     * Opens what the builder did not hand in: a local store at {@code DATA/store} and a SQLite
     * catalog at {@code DATA/catalog.db}. What was handed in stays the caller's to close.
     */
    static ServerContext open(LodeServer.Builder b, boolean tls) {
        ObjectStores stores = b.stores;
        Catalog catalog = b.catalog;
        boolean ownsStores = stores == null;
        boolean ownsCatalog = catalog == null;
        try {
            if (ownsStores) {
                stores = ObjectStores.single(LocalObjectStore.open(b.dataDir.resolve("store")));
            }
            if (ownsCatalog) {
                catalog = Catalog.openSqlite(b.dataDir.resolve("catalog.db"));
            }
            return new ServerContext(b, tls, stores, catalog, ownsStores, ownsCatalog);
        } catch (RuntimeException e) {
            if (ownsCatalog) {
                Quietly.close(catalog);
            }
            if (ownsStores) {
                Quietly.close(stores);
            }
            throw e;
        }
    }

    ObjectStores stores() {
        return stores;
    }

    /** Whether bodies are files on this machine (sent with {@code sendfile}) rather than remote. */
    boolean localStore() {
        return stores.isSingle() && stores.shared() instanceof LocalObjectStore;
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

    /**
     * The CDN URL of a public tenant artifact, if a CDN is configured: the object's key in the
     * bucket when the CDN's origin is the store, the artifact's path on this server otherwise.
     */
    java.util.Optional<String> cdnUrl(dev.lode.catalog.TenantAssetKey key, dev.lode.core.ObjectId id) {
        if (cdnBase == null) {
            return java.util.Optional.empty();
        }
        if (!cdnInFrontOfServer && stores.tenant(key.tenant()) instanceof dev.lode.core.DirectUrls direct) {
            return java.util.Optional.of(cdnBase + "/" + direct.keyOf(id));
        }
        return java.util.Optional.of(cdnBase + key.path());
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
        if (ownsCatalog) {
            catalog.close();
        }
        if (ownsStores) {
            stores.close();
        }
    }
}
