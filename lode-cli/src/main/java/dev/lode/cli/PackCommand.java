package dev.lode.cli;

import dev.lode.bundle.PackResult;
import dev.lode.bundle.PluginPacker;
import dev.lode.bundle.Signatures;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lode pack PLUGIN_DIR --out PLUGINS_DIR}: a reproducible zstd zip, its manifest and signature. */
@Command(
        name = "pack",
        description = {
            "Pack a plugin folder into PLUGINS_DIR/<name>/: assets.<sha256>.zip (zstd,",
            "reproducible), manifest (JSON: pluginId, version, files with size and sha256)",
            "and, with --sign, manifest.sig. Id and versions come from the flags, else from",
            "plugin.json in the plugin folder (which is not packed)."
        })
final class PackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // No mixinStandardHelpOptions: its --version would clash with the plugin's --version.
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "PLUGIN_DIR", description = "Plugin folder to pack.")
    Path pluginDir;

    @Option(names = "--out", required = true, paramLabel = "PLUGINS_DIR", description = "Where <name>/ is written.")
    Path out;

    @Option(names = "--plugin-id", paramLabel = "N", description = "Plugin id (overrides plugin.json).")
    Long pluginId;

    @Option(names = "--version", paramLabel = "V", description = "Plugin version (overrides plugin.json).")
    String version;

    @Option(names = "--min-version", paramLabel = "V", description = "Minimum version (overrides plugin.json).")
    String minVersion;

    @Option(names = "--level", paramLabel = "N", defaultValue = "6", description = "zstd level 1..22 (default 6).")
    int level;

    @Option(
            names = "--exact-level",
            description =
                    "Compress incompressible files at --level too (default: they get level 1, same size, less CPU).")
    boolean exactLevel;

    @Option(
            names = "--sync",
            description = "Force the output to disk before it is renamed into place (slower; the output is"
                    + " verified by every reader anyway).")
    boolean sync;

    @Option(names = "--sign", paramLabel = "KEY.pem", description = "RSA or Ed25519 private key (PEM) to sign with.")
    Path key;

    @Option(names = "--jobs", paramLabel = "N", description = "Compression threads (default: number of cores).")
    Integer jobs;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() {
        PluginPacker.Builder b =
                PluginPacker.builder().level(level).adaptive(!exactLevel).sync(sync);
        if (pluginId != null) {
            b.pluginId(pluginId);
        }
        if (version != null) {
            b.version(version);
        }
        if (minVersion != null) {
            b.minVersion(minVersion);
        }
        if (jobs != null) {
            b.parallelism(jobs);
        }
        if (key != null) {
            b.signWith(Signatures.loadPrivateKey(key));
        }
        Progress[] progress = new Progress[1];
        b.listener(new PluginPacker.Listener() {
            @Override
            public void started(int files, long bytes) {
                progress[0] = Progress.start("pack", bytes, quiet);
            }

            @Override
            public void fileDone(String path, long size) {
                progress[0].add(size);
            }
        });
        PackResult r;
        try {
            r = b.build().pack(pluginDir, out);
        } finally {
            if (progress[0] != null) {
                progress[0].close();
            }
        }
        if (!quiet) {
            spec.commandLine()
                    .getErr()
                    .printf(
                            "packed %d files (%s) into %s (%s)%s%n",
                            r.manifest().files().size(),
                            Units.bytes(r.manifest().totalSize()),
                            r.bundleFile(),
                            Units.bytes(r.manifest().bundle().size()),
                            r.signatureFile() != null ? ", signed" : "");
        }
        spec.commandLine().getOut().println(r.directory());
        return 0;
    }
}
