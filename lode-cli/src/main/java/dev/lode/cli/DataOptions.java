package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.core.LocalObjectStore;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Where a command keeps its data: the data folder (--data, else $LODE_DATA, else ./lode-data) and
 * the catalog (--catalog JDBC-URL, else $LODE_CATALOG, else a SQLite file in the data folder).
 */
public final class DataOptions {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data folder (object store, catalog). Default: $LODE_DATA, else ./lode-data.")
    Path data;

    @Option(
            names = "--catalog",
            paramLabel = "JDBC-URL",
            description = "Catalog database, e.g. jdbc:postgresql://HOST:5432/lode?user=U&password=P"
                    + " (default: $LODE_CATALOG, else a SQLite file DATA/catalog.db).")
    String catalog;

    /** The data folder in effect. */
    public Path dataDir() {
        if (data != null) {
            return data;
        }
        String env = System.getenv("LODE_DATA");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of("lode-data");
    }

    /** The catalog URL given, if any (flag, else {@code $LODE_CATALOG}). */
    Optional<String> catalogUrl() {
        if (catalog != null && !catalog.isBlank()) {
            return Optional.of(catalog);
        }
        String env = System.getenv("LODE_CATALOG");
        return env == null || env.isBlank() ? Optional.empty() : Optional.of(env);
    }

    /** Opens (creating and migrating) the catalog in effect. */
    public Catalog openCatalog() {
        Optional<String> url = catalogUrl();
        if (url.isEmpty()) {
            return Catalog.openSqlite(dataDir().resolve("catalog.db"));
        }
        if (!url.get().startsWith("jdbc:postgresql:") && !url.get().startsWith("jdbc:sqlite:")) {
            throw new CliException(
                    "--catalog must be a jdbc:postgresql: or jdbc:sqlite: URL, got " + redact(url.get()), 2);
        }
        return Catalog.builder().jdbcUrl(url.get()).poolSize(8).build();
    }

    /** The catalog in effect for logs, without its password. */
    String describeCatalog() {
        return catalogUrl()
                .map(DataOptions::redact)
                .orElse(dataDir().resolve("catalog.db").toString());
    }

    /** The local object store inside the data folder. */
    public LocalObjectStore openStore() {
        return LocalObjectStore.open(dataDir().resolve("store"));
    }

    /** The URL with any password (query parameter or user info) replaced by {@code ***}. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(//[^/:@]+:)[^@/]*@", "$1***@");
    }
}
