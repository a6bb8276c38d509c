package dev.lode.catalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The catalog database. Open it with {@link #openSqlite(Path)} (or a {@link #builder()}); opening
 * creates the database if needed and applies every pending migration. The repositories
 * {@link #assets()}, {@link #tenants()}, {@link #tenantAssets()} (with their tags), {@link #uploads()} and {@link #replication()} share one
 * small connection pool.
 *
 * <p>The backend follows the JDBC URL: {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://HOST/DB}
 * (several lode servers may share one PostgreSQL catalog; migrations then take an advisory lock so
 * that only one applies them). Both run the same migration scripts.
 *
 * <p>SQLite runs in WAL mode, so readers never wait for the writer; writes are serialised inside the
 * process with a lock (SQLite allows one writer, and waiting on a Java lock is cheaper and fairer
 * than SQLite's busy loop). Thread-safe.
 */
public final class Catalog implements AutoCloseable {
    private final ConnectionPool pool;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final String url;
    private final int schemaVersion;
    private final AssetCatalog assets = new AssetCatalog(this);
    private final TenantCatalog tenants = new TenantCatalog(this);
    private final TenantAssetCatalog tenantAssets = new TenantAssetCatalog(this);
    private final UploadCatalog uploads = new UploadCatalog(this);
    private final LifecycleCatalog lifecycle = new LifecycleCatalog(this);
    private final ReplicationCatalog replication = new ReplicationCatalog(this);

    private Catalog(Builder b) {
        this.url = b.url;
        List<String> setup = new ArrayList<>();
        if (b.url.startsWith("jdbc:sqlite:")) {
            loadDriver("org.sqlite.JDBC");
            setup.add("PRAGMA busy_timeout = 10000");
            setup.add("PRAGMA foreign_keys = ON");
            if (b.wal) {
                setup.add("PRAGMA journal_mode = WAL");
                setup.add("PRAGMA synchronous = NORMAL");
            }
        } else if (b.url.startsWith("jdbc:postgresql:")) {
            loadDriver("org.postgresql.Driver");
        }
        this.pool = new ConnectionPool(b.url, b.poolSize, setup);
        try {
            this.schemaVersion = write(Migrations::migrate);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Registers a JDBC driver explicitly: service-loader registration can miss in some class loaders. */
    private static void loadDriver(String className) {
        try {
            Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new CatalogException("JDBC driver " + className + " is not on the class path", e);
        }
    }

    /** Opens (creating and migrating) a SQLite catalog file in WAL mode. */
    public static Catalog openSqlite(Path file) {
        return builder().sqlite(file).build();
    }

    /** A builder; set {@link Builder#sqlite(Path)} or {@link Builder#jdbcUrl(String)}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether this is a SQLite file, which one process owns, rather than a database server that
     * several lode processes may write at once.
     */
    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    /** The schema version after migration. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** Logical asset ids mapped to objects ({@code /assets/{id}}). */
    public AssetCatalog assets() {
        return assets;
    }

    /** Tenants, their API keys and presign secrets. */
    public TenantCatalog tenants() {
        return tenants;
    }

    /** Tenant artifacts ({@code /t/{tenant}/{run}/{type}/{file}}). */
    public TenantAssetCatalog tenantAssets() {
        return tenantAssets;
    }

    /** Tenant uploads and their parts. */
    public UploadCatalog uploads() {
        return uploads;
    }

    /** Retention, garbage-collection roots and references, bytes served per tenant. */
    public LifecycleCatalog lifecycle() {
        return lifecycle;
    }

    /** The durable replication queue shared by every server on this catalog. */
    public ReplicationCatalog replication() {
        return replication;
    }

    /** Work done with one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    <T> T read(SqlWork<T> work) {
        Connection c = pool.borrow();
        try {
            return work.apply(c);
        } catch (SQLException e) {
            throw new CatalogException("catalog " + url + ": " + e.getMessage(), e);
        } finally {
            pool.release(c);
        }
    }

    /** Runs {@code work} in one transaction, serialised with every other write. */
    <T> T write(SqlWork<T> work) {
        writeLock.lock();
        Connection c = pool.borrow();
        try {
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new CatalogException("catalog " + url + ": " + e.getMessage(), e);
        } finally {
            pool.release(c);
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    @Override
    public String toString() {
        return "Catalog[" + url + "]";
    }

    /** Configures a {@link Catalog}. */
    public static final class Builder {
        private String url;
        private int poolSize = 4;
        private boolean wal = true;

        private Builder() {}

        /** A SQLite file; its folder is created if missing. */
        public Builder sqlite(Path file) {
            Objects.requireNonNull(file, "file");
            Path abs = file.toAbsolutePath();
            try {
                Files.createDirectories(abs.getParent());
            } catch (java.io.IOException e) {
                throw new CatalogException("cannot create folder for catalog " + abs + ": " + e.getMessage(), e);
            }
            this.url = "jdbc:sqlite:" + abs;
            return this;
        }

        /** Any JDBC URL whose driver is on the class path. */
        public Builder jdbcUrl(String url) {
            if (url == null || !url.startsWith("jdbc:")) {
                throw new IllegalArgumentException("not a JDBC URL: " + url);
            }
            this.url = url;
            return this;
        }

        /** Connections kept open (default 4). */
        public Builder poolSize(int size) {
            if (size < 1 || size > 64) {
                throw new IllegalArgumentException("pool size must be 1..64, got " + size);
            }
            this.poolSize = size;
            return this;
        }

        /** SQLite journal in WAL mode (default true). */
        public Builder walMode(boolean wal) {
            this.wal = wal;
            return this;
        }

        public Catalog build() {
            if (url == null) {
                throw new IllegalStateException("catalog needs sqlite(file) or jdbcUrl(url)");
            }
            return new Catalog(this);
        }
    }
}
