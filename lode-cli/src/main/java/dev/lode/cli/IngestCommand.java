package dev.lode.cli;

import dev.lode.core.LocalObjectStore;
import dev.lode.core.TreeIngester;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
            "Prints the manifest's object id on stdout. Files are ingested in parallel on all cores."
        })
final class IngestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Folder to ingest.")
    Path dir;

    @Mixin
    DataOptions data;

    @Option(names = "--jobs", paramLabel = "N", description = "Files ingested at once (default: number of cores).")
    Integer jobs;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() {
        if (!Files.exists(dir)) {
            throw new CliException("no such folder: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("not a folder: " + dir);
        }
        try (LocalObjectStore store = data.openStore()) {
            TreeIngester.Builder b = TreeIngester.builder(store);
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
            // Nothing in the catalog names the tree yet: pin its manifest so that garbage
            // collection keeps the manifest and every object it lists.
            try (dev.lode.catalog.Catalog catalog = data.openCatalog()) {
                catalog.lifecycle().pin(r.manifestId(), "lode ingest " + dir.toAbsolutePath());
            }
            System.out.println(r.manifestId());
            return 0;
        }
    }
}
