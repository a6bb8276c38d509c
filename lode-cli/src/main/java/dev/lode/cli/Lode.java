package dev.lode.cli;

import dev.lode.core.LodeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lode} command: one subcommand per job. */
@Command(
        name = "lode",
        mixinStandardHelpOptions = true,
        versionProvider = Lode.Version.class,
        description = "Content-addressed asset delivery for games.",
        subcommands = {
            CommandLine.HelpCommand.class,
            IngestCommand.class,
            PackCommand.class,
            VerifyCommand.class,
            UnpackCommand.class,
            ServeCommand.class,
            PullCommand.class,
            TenantCommand.class,
            PresignCommand.class,
            GcCommand.class,
            UsageCommand.class,
            TrainCommand.class
        })
public final class Lode implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 usage). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured picocli command line, for tests and embedding. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Lode());
        cl.setExecutionExceptionHandler(Lode::handle);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Prints lode's own errors as one clear line; anything unexpected gets its stack trace. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof LodeException
                || e instanceof IllegalArgumentException
                || e instanceof java.io.UncheckedIOException
                || e instanceof CliException) {
            err.println("lode " + cl.getCommandName() + ": error: " + e.getMessage());
        } else {
            err.println("lode " + cl.getCommandName() + ": unexpected error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return e instanceof CliException ce ? ce.exitCode() : 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Lode.class.getPackage().getImplementationVersion();
            return new String[] {"lode " + (v == null ? "dev" : v), "Java " + Runtime.version()};
        }
    }
}
