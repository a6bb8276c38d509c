package dev.lode.cli;

import dev.lode.core.LodeException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lode} command: one subcommand per job. */
@Command(
        name = "lode",
        mixinStandardHelpOptions = true,
        versionProvider = Lode.Version.class,
        description = "Content-addressed asset delivery for games.")
public final class Lode implements Runnable {
    /**
     * The subcommands, in help order. A run builds only the one it names: picocli reads each
     * command's annotations when it is added, and building all of them cost every short command
     * about 60 ms of start-up (measured on a small {@code lode pull}).
     */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // Classes, not constructor references: with a map of method references here, JDK 25.0.3 crashed
    // while writing the launcher's AOT cache (archiveHeapWriter.cpp guarantee failed).
    private static Map<String, Class<?>> subcommands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("help", CommandLine.HelpCommand.class);
        m.put("ingest", IngestCommand.class);
        m.put("pack", PackCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("unpack", UnpackCommand.class);
        m.put("serve", ServeCommand.class);
        m.put("pull", PullCommand.class);
        m.put("tenant", TenantCommand.class);
        m.put("presign", PresignCommand.class);
        m.put("gc", GcCommand.class);
        m.put("usage", UsageCommand.class);
        m.put("aot-train", TrainCommand.class);
        return m;
    }

    public static void main(String[] args) {
        avoidClassPathSearches();
        int code = run(args);
        if (code == 0 && onlyDaemonThreadsLeft()) {
            // Ending main ends the JVM as System.exit(0) would (shutdown hooks included), minus the
            // logging Runtime.exit does since JDK 21, whose first use searches the class path for a
            // System.LoggerFinder: about 40 ms at the end of every command.
            return;
        }
        System.exit(code);
    }

    private static boolean onlyDaemonThreadsLeft() {
        Thread self = Thread.currentThread();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t != self && t.isAlive() && !t.isDaemon()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every class or resource looked up and not found makes the JVM open and index each of the CLI's
     * hundred-odd jars, about 40 ms of a short command's start-up. Some libraries and the JDK do it
     * at every start, each for a plug-in lode does not use; these settings stop them.
     */
    private static void avoidClassPathSearches() {
        // The JDK looks for a SelectorProvider service before its own (first SocketChannel); this
        // names its own, which is what it would use anyway.
        String os = System.getProperty("os.name", "");
        if (os.startsWith("Linux")) {
            setIfAbsent("java.nio.channels.spi.SelectorProvider", "sun.nio.ch.EPollSelectorProvider");
        } else if (os.startsWith("Mac")) {
            setIfAbsent("java.nio.channels.spi.SelectorProvider", "sun.nio.ch.KQueueSelectorProvider");
        }
        // picocli looks for Groovy (closures in annotations).
        setIfAbsent("picocli.disable.closures", "true");
        // SLF4J and Logback search the class path for providers, configurators and logback-test.xml;
        // CliLogProvider sets Logback up in code instead. A Logback XML file named with
        // -Dlogback.configurationFile still goes through Logback's own provider.
        if (System.getProperty("logback.configurationFile") == null) {
            setIfAbsent("slf4j.provider", CliLogProvider.class.getName());
            setIfAbsent("slf4j.internal.verbosity", "WARN"); // not the "loading provider" line
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 usage). */
    public static int run(String... args) {
        String first = args.length > 0 ? args[0] : "";
        // "help" lists every command, so it needs them all.
        boolean one = SUBCOMMANDS.containsKey(first) && !first.equals("help");
        return (one ? commandLine(first) : commandLine()).execute(args);
    }

    /** The configured picocli command line with every subcommand, for tests and embedding. */
    public static CommandLine commandLine() {
        CommandLine cl = root();
        SUBCOMMANDS.forEach(cl::addSubcommand);
        return configure(cl);
    }

    /** The command line with only subcommand {@code name}: what a run of that command needs. */
    static CommandLine commandLine(String name) {
        Class<?> command = SUBCOMMANDS.get(name);
        if (command == null) {
            throw new IllegalArgumentException("no lode command named " + name);
        }
        CommandLine cl = root();
        cl.addSubcommand(name, command);
        return configure(cl);
    }

    private static CommandLine root() {
        return new CommandLine(new Lode());
    }

    // Settings made after the subcommands are added, so that they reach every one of them.
    private static CommandLine configure(CommandLine cl) {
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
