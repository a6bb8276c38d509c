package dev.lode.cli;

import dev.lode.bundle.SafeUnzipper;
import dev.lode.bundle.UnpackResult;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lode unpack ZIP DIR}: safe, atomic extraction. */
@Command(
        name = "unpack",
        mixinStandardHelpOptions = true,
        description = {
            "Extract a zip (stored, deflate or zstd entries) into DIR atomically: it is built",
            "beside DIR and renamed into place. Refuses '..', absolute paths, symlinks,",
            "duplicate names and sizes that differ from the headers."
        })
final class UnpackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ZIP", description = "Zip file to extract.")
    Path zip;

    @Parameters(index = "1", paramLabel = "DIR", description = "Folder to create.")
    Path dir;

    @Option(names = "--replace", description = "Replace DIR if it exists.")
    boolean replace;

    @Override
    public Integer call() {
        UnpackResult r = SafeUnzipper.builder().replaceExisting(replace).build().extract(zip, dir);
        spec.commandLine()
                .getOut()
                .printf("unpacked %d files (%s) into %s%n", r.files(), Units.bytes(r.bytes()), r.directory());
        return 0;
    }
}
