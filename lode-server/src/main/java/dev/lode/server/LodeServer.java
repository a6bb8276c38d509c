package dev.lode.server;

import dev.lode.catalog.Catalog;
import dev.lode.core.ObjectStores;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lode HTTP server. Configure with {@link #builder(Path)}, then {@link #start()}; {@link #close()}
 * shuts down gracefully: the listening socket closes at once, requests in flight finish (up to the
 * grace period), idle keep-alive connections are closed.
 *
 * <p>Netty runs the I/O on a few event-loop threads with the native epoll transport when it loads
 * (NIO otherwise); bodies of plain-HTTP responses go out with {@code sendfile} from the object
 * store's files, and under TLS they are copied in 64 KiB chunks. Request bodies (uploads) stream
 * to virtual threads with back-pressure, so a 10 GB upload uses bounded memory.
 */
public final class LodeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LodeServer.class);

    private final Builder config;
    private final ServerContext ctx;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final boolean epoll;
    private final SslContext ssl;
    private Channel listener;
    private Housekeeping housekeeping;

    private LodeServer(Builder b) {
        this.config = b;
        this.ssl = b.tlsCert == null ? null : sslContext(b.tlsCert, b.tlsKey);
        this.ctx = ServerContext.open(b, ssl != null);
        this.epoll = Epoll.isAvailable();
        var factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, factory);
        this.workers = new MultiThreadIoEventLoopGroup(b.ioThreads, factory);
        if (!epoll) {
            LOG.info(
                    "native epoll unavailable ({}); using NIO",
                    Epoll.unavailabilityCause().toString());
        }
    }

    /** A builder serving the data folder {@code dataDir} (store at {@code DATA/store}, catalog at {@code DATA/catalog.db}). */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** Binds and starts serving; returns this. */
    public LodeServer start() {
        ServerBootstrap sb = new ServerBootstrap()
                .group(boss, workers)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        p.addLast(
                                "idle",
                                new IdleStateHandler(0, 0, config.idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast(
                                "codec",
                                new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(config.maxInitialLineBytes)
                                        .setMaxHeaderSize(config.maxHeaderBytes)
                                        .setMaxChunkSize(256 * 1024)));
                        p.addLast("continue", new HttpServerExpectContinueHandler());
                        if (ssl != null || !ctx.localStore()) {
                            p.addLast("chunked", new ChunkedWriteHandler());
                        }
                        p.addLast("lode", new HttpHandler(ctx));
                    }
                });
        try {
            listener = sb.bind(new InetSocketAddress(config.bind, config.port))
                    .sync()
                    .channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted binding " + config.bind + ":" + config.port, e);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot listen on " + config.bind + ":" + config.port + ": " + e, e);
        }
        housekeeping = Housekeeping.start(ctx, config);
        LOG.info(
                "lode serving {} on {}://{}:{} ({})",
                config.dataDir,
                ssl != null ? "https" : "http",
                config.bind,
                port(),
                epoll ? "epoll" : "nio");
        return this;
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Whether the native epoll transport is in use. */
    public boolean usesEpoll() {
        return epoll;
    }

    /** The plugin registry, if a plugins folder was given: subscribe to its changes here. */
    public java.util.Optional<PluginRegistry> plugins() {
        return java.util.Optional.ofNullable(ctx.plugins());
    }

    /** The catalog this server uses. */
    public Catalog catalog() {
        return ctx.catalog();
    }

    /** The object stores this server uses. */
    public ObjectStores stores() {
        return ctx.stores();
    }

    /** Collects garbage once now with this server's settings ({@code dryRun} as given). */
    public GcReport collectGarbage(boolean dryRun) {
        return GarbageCollection.run(ctx.stores(), ctx.catalog(), config.gcOptions.withDryRun(dryRun));
    }

    /** Adds the bytes served counted so far to the catalog (done every 10 s and on close). */
    public void flushUsage() {
        ctx.served().flush();
    }

    /** Fetches from the staging source so far. */
    public long stagingFetches() {
        return ctx.metrics().stagingFetches();
    }

    @Override
    public void close() {
        ctx.beginShutdown();
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
        long deadline = System.nanoTime() + config.shutdownGrace.toNanos();
        while (ctx.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (housekeeping != null) {
            housekeeping.close();
        }
        ctx.close();
    }

    private static SslContext sslContext(Path cert, Path key) {
        try {
            return SslContextBuilder.forServer(cert.toFile(), key.toFile()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cannot load TLS certificate " + cert + " / key " + key + ": " + e.getMessage(), e);
        }
    }

    /** Configures a {@link LodeServer}; every setter validates its value. */
    public static final class Builder {
        final Path dataDir;
        int port = 37015;
        String bind = "0.0.0.0";
        Path pluginsDir;
        Duration pluginRescan = Duration.ofSeconds(5);
        StageSource stageFrom;
        String adminKey;
        String cdnBase;
        boolean cdnInFrontOfServer;
        Path tlsCert;
        Path tlsKey;
        List<String> corsOrigins = List.of("*");
        Duration idleTimeout = Duration.ofSeconds(60);
        Duration shutdownGrace = Duration.ofSeconds(10);
        int maxHeaderBytes = 16 * 1024;
        int maxInitialLineBytes = 8 * 1024;
        int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ObjectStores stores;
        Catalog catalog;
        Duration gcEvery = Duration.ofHours(6);
        GcOptions gcOptions = GcOptions.DEFAULTS;
        String nodeId;

        private Builder(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
        }

        /** Runs garbage collection this often inside the server (default 6 h); zero turns it off. */
        public Builder gcEvery(Duration every) {
            Objects.requireNonNull(every, "every");
            if (every.isNegative() || (!every.isZero() && every.toMillis() < 100)) {
                throw new IllegalArgumentException("gc interval must be zero (off) or at least 100 ms: " + every);
            }
            this.gcEvery = every;
            return this;
        }

        /** Retention and grace period of the scheduled garbage collection (default {@link GcOptions#DEFAULTS}). */
        public Builder gc(GcOptions options) {
            this.gcOptions = Objects.requireNonNull(options, "options").withDryRun(false);
            return this;
        }

        /**
         * This server's name among servers sharing a catalog, the same across its restarts
         * (default: {@code $LODE_NODE_ID}, else host name and data folder); on start it fails the
         * single uploads it was streaming when it last stopped.
         */
        public Builder nodeId(String id) {
            if (id == null || id.isBlank() || id.length() > 255) {
                throw new IllegalArgumentException("node id must be 1..255 characters, got " + id);
            }
            this.nodeId = id;
            return this;
        }

        /** TCP port, 0 for any free one (default 37015). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Address to listen on (default {@code 0.0.0.0}). */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Serve plugins from this folder (watched). */
        public Builder pluginsDir(Path dir) {
            if (dir != null && !Files.isDirectory(dir)) {
                throw new IllegalArgumentException("plugins folder does not exist: " + dir);
            }
            this.pluginsDir = dir;
            return this;
        }

        /** Periodic plugin rescan, a fallback for lost watch events (default 5 s). */
        public Builder pluginRescan(Duration every) {
            if (every.toMillis() < 10) {
                throw new IllegalArgumentException("plugin rescan interval too short: " + every);
            }
            this.pluginRescan = every;
            return this;
        }

        /** Auto-stage missing assets from this source. */
        public Builder stageFrom(StageSource source) {
            this.stageFrom = source;
            return this;
        }

        /** Auto-stage from an http(s) URL template with {@code {id}} or a folder. */
        public Builder stageFrom(String spec, Duration timeout) {
            this.stageFrom = spec == null ? null : StageSource.parse(spec, timeout);
            return this;
        }

        /** Bearer key required to PUT or DELETE {@code /assets/{id}}; without one, those are refused. */
        public Builder adminKey(String key) {
            if (key != null && key.length() < 16) {
                throw new IllegalArgumentException("admin key must be at least 16 characters");
            }
            this.adminKey = key;
            return this;
        }

        /**
         * Base URL of a CDN; public tenant URLs are given under it. Its origin is the object store
         * when the store is a bucket ({@code CDN/[PREFIX/]TENANT/objects/SHA256}, the bucket's key),
         * and this server otherwise ({@code CDN/t/TENANT/RUN/TYPE/FILE}).
         */
        public Builder cdnBase(String base) {
            if (base != null && !base.startsWith("http://") && !base.startsWith("https://")) {
                throw new IllegalArgumentException("CDN base must be an http(s) URL: " + base);
            }
            this.cdnBase = base == null ? null : base.replaceAll("/+$", "");
            return this;
        }

        /**
         * Whether the CDN's origin is this server even when the store is a bucket (public URLs are
         * then {@code CDN/t/TENANT/RUN/TYPE/FILE}; default false).
         */
        public Builder cdnInFrontOfServer(boolean inFront) {
            this.cdnInFrontOfServer = inFront;
            return this;
        }

        /** Serve HTTPS with this PEM certificate chain and PKCS#8 PEM key. */
        public Builder tls(Path cert, Path key) {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException("TLS needs both a certificate and a key");
            }
            if (cert != null && (!Files.isReadable(cert) || !Files.isReadable(key))) {
                throw new IllegalArgumentException("cannot read TLS certificate " + cert + " or key " + key);
            }
            this.tlsCert = cert;
            this.tlsKey = key;
            return this;
        }

        /** Origins allowed by CORS; {@code *} (the default) allows any. */
        public Builder corsOrigins(List<String> origins) {
            if (origins.isEmpty()) {
                throw new IllegalArgumentException("CORS origins list is empty (use * to allow any)");
            }
            this.corsOrigins = List.copyOf(origins);
            return this;
        }

        /** Connections with no traffic for this long are closed (default 60 s). */
        public Builder idleTimeout(Duration idle) {
            if (idle.toMillis() < 100) {
                throw new IllegalArgumentException("idle timeout too short: " + idle);
            }
            this.idleTimeout = idle;
            return this;
        }

        /** How long {@link #close()} lets in-flight requests finish (default 10 s). */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace);
            return this;
        }

        /** Largest header block accepted; more gets 431 (default 16 KiB). */
        public Builder maxHeaderBytes(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("max header bytes too small: " + bytes);
            }
            this.maxHeaderBytes = bytes;
            return this;
        }

        /** Event-loop threads (default: number of cores). */
        public Builder ioThreads(int n) {
            if (n < 1 || n > 256) {
                throw new IllegalArgumentException("io threads must be 1..256, got " + n);
            }
            this.ioThreads = n;
            return this;
        }

        /**
         * Keep objects in these stores (an S3 bucket, say) instead of the local {@code DATA/store}.
         * The caller keeps ownership: the server does not close them.
         */
        public Builder stores(ObjectStores stores) {
            this.stores = Objects.requireNonNull(stores, "stores");
            return this;
        }

        /**
         * Use this catalog (PostgreSQL, say) instead of {@code DATA/catalog.db}. The caller keeps
         * ownership: the server does not close it.
         */
        public Builder catalog(Catalog catalog) {
            this.catalog = Objects.requireNonNull(catalog, "catalog");
            return this;
        }

        /**
         * How long a catalog record may be served from memory. A SQLite file belongs to this process,
         * which invalidates its cache on every write; a database shared with other servers may
         * change under it, so records are re-read after two seconds.
         */
        Duration catalogCacheTtl() {
            return catalog == null || catalog.isSqlite() ? Duration.ofHours(1) : Duration.ofSeconds(2);
        }

        public LodeServer build() {
            return new LodeServer(this);
        }
    }
}
