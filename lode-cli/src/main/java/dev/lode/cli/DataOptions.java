package dev.lode.cli;

import dev.lode.core.LocalObjectStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The data folder every command that keeps data shares: --data, else LODE_DATA, else ./lode-data. */
public final class DataOptions {
    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data folder (object store, catalog). Default: $LODE_DATA, else ./lode-data.")
    Path data;

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

    /** The catalog inside the data folder (created and migrated if needed). */
    public dev.lode.catalog.Catalog openCatalog() {
        return dev.lode.catalog.Catalog.openSqlite(dataDir().resolve("catalog.db"));
    }

    /** The local object store inside the data folder. */
    public LocalObjectStore openStore() {
        return LocalObjectStore.open(dataDir().resolve("store"));
    }
}
