package dev.lode.cli;

import dev.lode.catalog.Catalog;
import dev.lode.core.ManifestCodec;
import dev.lode.core.ObjectStores;
import dev.lode.core.TreeIngester;
import dev.lode.s3.ReplicatedStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lode ingest DIR}: stores a tree's files with their chunk maps and prints the manifest id. */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = {
            "Store every file of a folder tree (each with its FastCDC chunk map) and a manifest of the tree.",
            "Prints the manifest's object id on stdout. Files are ingested in parallel on all cores.",
            "The manifest is recorded in the catalog as asset NAME (default: the folder's name), so it is",
            "served at /assets/NAME and its objects are kept by lode gc; --unnamed only pins it for gc."
        })
final class IngestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Folder to ingest.")
    Path dir;

    @Mixin
    StoreOptions storage;

    @Option(names = "--jobs", paramLabel = "N", description = "Files ingested at once (default: number of cores).")
    Integer jobs;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "Asset id to record the manifest under (default: the folder's name).")
    String name;

    @Option(
            names = "--unnamed",
            description = "Do not name the manifest as an asset; only pin it so that gc keeps the tree.")
    boolean unnamed;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress output.")
    boolean quiet;

    private String assetName() {
        String n = name != null
                ? name
                : dir.toAbsolutePath().normalize().getFileName() == null
                        ? "root"
                        : dir.toAbsolutePath().normalize().getFileName().toString();
        if (!ASSET_ID.matcher(n).matches()) {
            throw new CliException(
                    "cannot record the manifest as asset '" + n + "': use --name with letters, digits, . _ -"
                            + " (not starting with '.'), or --unnamed",
                    2);
        }
        return n;
    }

    private static final Pattern ASSET_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}");

    @Override
    public Integer call() {
        if (!Files.exists(dir)) {
            throw new CliException("no such folder: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("not a folder: " + dir);
        }
        String assetId = unnamed ? null : assetName();
        try (Catalog catalog = storage.openCatalog();
                ObjectStores stores = storage.openStores(catalog)) {
            TreeIngester.Builder b = TreeIngester.builder(stores.shared());
            if (jobs != null) {
                b.parallelism(jobs);
            }
            Progress[] progress = new Progress[1];
            b.listener(new TreeIngester.Listener() {
                @Override
                public void started(long files, long bytes) {
                    progress[0] = Progress.start("ingest", bytes, quiet);
                }

                @Override
                public void fileDone(String path, long size, boolean created) {
                    progress[0].add(size);
                }
            });
            TreeIngester.Result r;
            try {
                r = b.build().ingest(dir);
            } finally {
                if (progress[0] != null) {
                    progress[0].close();
                }
            }
            if (!quiet) {
                System.err.printf(
                        "ingested %d files (%s), %d new objects%s%n",
                        r.files(),
                        Units.bytes(r.bytes()),
                        r.newObjects(),
                        r.skipped() > 0 ? ", skipped " + r.skipped() + " links/special files" : "");
            }
            if (assetId != null) {
                long size = stores.shared().size(r.manifestId()).orElseThrow();
                catalog.assets().put(assetId, r.manifestId(), size, ManifestCodec.MEDIA_TYPE);
                if (!quiet) {
                    System.err.printf("recorded as asset %s%n", assetId);
                }
            } else {
                // No name: pin the manifest so that gc keeps it and every object it lists.
                catalog.lifecycle().pin(r.manifestId(), "lode ingest " + dir.toAbsolutePath());
            }
            if (stores instanceof ReplicatedStores replicated && !quiet) {
                long queued = replicated.pending();
                if (queued > 0) {
                    System.err.printf("%d copies to replicas queued in the catalog (lode serve drains them)%n", queued);
                }
            }
            System.out.println(r.manifestId());
            return 0;
        }
    }
}
