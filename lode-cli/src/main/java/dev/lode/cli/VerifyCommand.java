package dev.lode.cli;

import dev.lode.bundle.BundleVerifier;
import dev.lode.bundle.Signatures;
import dev.lode.bundle.VerificationReport;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lode verify PLUGINS_DIR/<name>}: the zip, every file and the signature against the manifest. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Check a packed plugin folder: the zip's size and sha256, every file's path,",
            "size and sha256, no extra or missing files, and with --pubkey the manifest's",
            "signature. Exit 0 when all hold, else 1 with one line per problem."
        })
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PLUGIN_FOLDER", description = "PLUGINS_DIR/<name> as written by pack.")
    Path folder;

    @Option(names = "--pubkey", paramLabel = "PUB.pem", description = "RSA or Ed25519 public key (PEM).")
    Path pubkey;

    @Override
    public Integer call() {
        PublicKey key = pubkey == null ? null : Signatures.loadPublicKey(pubkey);
        VerificationReport r = BundleVerifier.verify(folder, key);
        if (!r.ok()) {
            for (String p : r.problems()) {
                spec.commandLine().getErr().println("lode verify: FAILED " + p);
            }
            throw new CliException(folder + ": " + r.problems().size() + " problem(s) found");
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "OK %s: plugin %d version %s, %d files, bundle %s%s%n",
                        folder,
                        r.manifest().pluginId(),
                        r.manifest().version(),
                        r.manifest().files().size(),
                        r.manifest().bundle().name(),
                        r.signatureChecked() ? ", signature valid" : "");
        return 0;
    }
}
