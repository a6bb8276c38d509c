package dev.lode.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.RunSummary;
import dev.lode.core.ObjectStores;
import dev.lode.server.Durations;
import dev.lode.server.GarbageCollection;
import dev.lode.server.GcOptions;
import dev.lode.server.GcReport;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lode gc}: removes runs past retention, abandoned uploads and unreferenced objects. */
@Command(
        name = "gc",
        mixinStandardHelpOptions = true,
        description = {
            "Collect garbage: remove tenant runs whose newest artifact is older than --older-than from the"
                    + " catalog, abort uploads idle for a day, and delete objects nothing references once they"
                    + " are older than --grace.",
            "Safe while a server runs on the same data: objects younger than the grace period are never"
                    + " deleted, so uploads in progress keep theirs."
        })
final class GcCommand implements Callable<Integer> {
    @Mixin
    StoreOptions storage;

    @Option(
            names = "--older-than",
            paramLabel = "DURATION",
            description = "Retention of a run after its newest artifact (default ${DEFAULT-VALUE}).")
    String olderThan = "30d";

    @Option(
            names = "--grace",
            paramLabel = "DURATION",
            description = "Unreferenced objects younger than this are kept (default ${DEFAULT-VALUE}).")
    String grace = "1h";

    @Option(names = "--dry-run", description = "Report what would be removed; change nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        GcOptions options = GcOptions.DEFAULTS
                .withOlderThan(Durations.parse(olderThan))
                .withGrace(Durations.parse(grace))
                .withDryRun(dryRun);
        GcReport r;
        try (Catalog catalog = storage.openCatalog();
                ObjectStores stores = storage.openStores(catalog)) {
            r = GarbageCollection.run(stores, catalog, options);
        }
        if (json) {
            System.out.println(toJson(r));
        } else {
            print(r, System.out);
        }
        return 0;
    }

    static String toJson(GcReport r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dryRun", r.dryRun());
        out.put("runsRemoved", r.runsRemoved());
        out.put("assetsRemoved", r.assetsRemoved());
        out.put("objectsDeleted", r.objectsDeleted());
        out.put("bytesFreed", r.bytesFreed());
        out.put("uploadsAborted", r.uploadsAborted());
        out.put("storeUploadsAborted", r.storeUploadsAborted());
        out.put("objectsKeptInGrace", r.objectsKeptYoung());
        out.put("objectsKeptUnknownAge", r.objectsKeptUnknownAge());
        out.put(
                "runs",
                r.runs().stream()
                        .map(run -> Map.of(
                                "tenant", run.tenant(),
                                "run", run.run(),
                                "assets", run.assets(),
                                "bytes", run.bytes(),
                                "newest", run.newest().toString()))
                        .toList());
        out.put("uploads", r.uploads());
        out.put("millis", r.took().toMillis());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the gc report as JSON", e);
        }
    }

    static void print(GcReport r, PrintStream out) {
        String verb = r.dryRun() ? "would remove" : "removed";
        List<String[]> rows = List.of(
                new String[] {"runs " + verb, Long.toString(r.runsRemoved())},
                new String[] {"assets " + verb, Long.toString(r.assetsRemoved())},
                new String[] {"objects " + (r.dryRun() ? "would delete" : "deleted"), Long.toString(r.objectsDeleted())
                },
                new String[] {"bytes " + (r.dryRun() ? "would free" : "freed"), Units.bytes(r.bytesFreed())},
                new String[] {"uploads " + (r.dryRun() ? "would abort" : "aborted"), Long.toString(r.uploadsAborted())},
                new String[] {"store multipart uploads aborted", Long.toString(r.storeUploadsAborted())},
                new String[] {"objects kept (in grace)", Long.toString(r.objectsKeptYoung())},
                new String[] {"objects kept (age unknown)", Long.toString(r.objectsKeptUnknownAge())});
        for (String[] row : rows) {
            out.printf("%-28s %s%n", row[0], row[1]);
        }
        if (!r.runs().isEmpty()) {
            out.println();
            out.printf("%-20s %-32s %8s %12s  %s%n", "TENANT", "RUN", "ASSETS", "BYTES", "NEWEST");
            for (RunSummary run : r.runs()) {
                out.printf(
                        "%-20s %-32s %8d %12s  %s%n",
                        run.tenant(), run.run(), run.assets(), Units.bytes(run.bytes()), run.newest());
            }
        }
        for (String id : r.uploads()) {
            out.println("upload " + id + (r.dryRun() ? " would be aborted" : " aborted"));
        }
    }
}
