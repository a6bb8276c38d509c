package dev.lode.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * A real PostgreSQL server for tests: Debian's {@code postgresql} package (installed with {@code
 * apt-get} when missing), a fresh cluster in a temporary folder, listening on 127.0.0.1 on a free
 * port with trust authentication for user {@code postgres}. One server per JVM ({@link #shared()}),
 * stopped and deleted when the JVM exits.
 *
 * <p>{@code initdb} refuses to run as root, and CI runs as root: then every server command runs as
 * the {@code postgres} user through {@code runuser}, on a folder that user owns. Durability is
 * switched off ({@code fsync=off}) because test data is thrown away.
 *
 * <p>Set {@code LODE_TEST_POSTGRES=skip} to skip tests that need it (they are reported as aborted
 * with the reason); otherwise a server that cannot start fails the test with a {@link
 * PostgresUnavailableException} that includes the server log.
 */
public final class PostgresServer {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static PostgresServer shared;
    private static PostgresUnavailableException sharedFailure;

    private final Path binDir;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;

    private PostgresServer(Path binDir, Path dataDir, int port, boolean asPostgresUser) {
        this.binDir = binDir;
        this.dataDir = dataDir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * The JVM's server, started on first use.
     *
     * @throws TestAbortedException when {@code LODE_TEST_POSTGRES=skip}
     * @throws PostgresUnavailableException when it cannot be installed or started
     */
    public static PostgresServer shared() {
        if ("skip".equalsIgnoreCase(System.getenv("LODE_TEST_POSTGRES"))) {
            throw new TestAbortedException("PostgreSQL tests skipped: LODE_TEST_POSTGRES=skip");
        }
        LOCK.lock();
        try {
            if (shared == null && sharedFailure == null) {
                try {
                    shared = start();
                    PostgresServer s = shared;
                    Runtime.getRuntime().addShutdownHook(new Thread(s::stopQuietly, "lode-postgres-stop"));
                } catch (PostgresUnavailableException e) {
                    sharedFailure = e;
                }
            }
            if (sharedFailure != null) {
                throw sharedFailure;
            }
            return shared;
        } finally {
            LOCK.unlock();
        }
    }

    /** The port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The superuser (trust authentication, no password). */
    public String user() {
        return "postgres";
    }

    /** The JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    /** A new connection to {@code database}. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database));
    }

    /**
     * Creates an empty database (dropping one of the same name first) and returns its JDBC URL.
     * Give each test class its own name so that tests do not see each other's data.
     */
    public String createDatabase(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database names here are [a-z_][a-z0-9_]*, got '" + name + "'");
        }
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot create database " + name + " on port " + port + ": " + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    // ---------------------------------------------------------------- start and stop

    private static PostgresServer start() {
        Path bin = findBinDir().orElseGet(() -> {
            install();
            return findBinDir()
                    .orElseThrow(() -> new PostgresUnavailableException(
                            "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found"));
        });
        boolean root = isRoot();
        Path data;
        try {
            data = Files.createTempDirectory("lode-pg-");
        } catch (IOException e) {
            throw new PostgresUnavailableException("cannot create a temporary folder for PostgreSQL", e);
        }
        Path cluster = data.resolve("cluster");
        if (root) {
            run(List.of("chown", "postgres:postgres", data.toString()), 30, "give " + data + " to the postgres user");
        }
        PostgresServer probe = new PostgresServer(bin, cluster, 0, root);
        probe.pg(
                List.of(
                        bin.resolve("initdb").toString(),
                        "-D",
                        cluster.toString(),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--no-sync"),
                120,
                "initdb");
        PostgresUnavailableException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            PostgresServer server = new PostgresServer(bin, cluster, port, root);
            try {
                server.pg(
                        List.of(
                                bin.resolve("pg_ctl").toString(),
                                "-D",
                                cluster.toString(),
                                "-l",
                                data.resolve("server.log").toString(),
                                "-o",
                                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + data
                                        + " -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
                                "-w",
                                "-t",
                                "60",
                                "start"),
                        90,
                        "pg_ctl start");
                return server;
            } catch (PostgresUnavailableException e) {
                last = new PostgresUnavailableException(
                        e.getMessage() + "\nserver log:\n" + tail(data.resolve("server.log")), e);
            }
        }
        throw last;
    }

    private void stopQuietly() {
        try {
            pg(
                    List.of(
                            binDir.resolve("pg_ctl").toString(),
                            "-D",
                            dataDir.toString(),
                            "-m",
                            "immediate",
                            "-w",
                            "stop"),
                    30,
                    "pg_ctl stop");
        } catch (RuntimeException e) {
            // The JVM is exiting; nothing more useful to do.
        }
        deleteTree(dataDir.getParent());
    }

    /** Runs a PostgreSQL program, as the postgres user when the JVM runs as root. */
    private void pg(List<String> command, int timeoutSeconds, String what) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full, timeoutSeconds, what);
    }

    private static void install() {
        if (!isRoot()) {
            throw new PostgresUnavailableException("PostgreSQL is not installed and the tests do not run as root:"
                    + " install it with 'sudo apt-get install -y postgresql', or set LODE_TEST_POSTGRES=skip");
        }
        run(List.of("apt-get", "install", "-y", "-q", "postgresql"), 600, "apt-get install -y postgresql");
    }

    private static Optional<Path> findBinDir() {
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PostgresServer::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new PostgresUnavailableException("cannot find a free loopback port", e);
        }
    }

    private static void run(List<String> command, int timeoutSeconds, String what) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            pb.environment().put("LC_ALL", "C.UTF-8");
            p = pb.start();
        } catch (IOException e) {
            throw new PostgresUnavailableException(
                    "cannot run " + what + " (" + command.getFirst() + "): " + e.getMessage(), e);
        }
        // Drain the output on another thread so that a chatty process cannot block on a full pipe
        // while this one waits with a timeout.
        java.io.ByteArrayOutputStream output = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream out = p.getInputStream()) {
                out.transferTo(output);
            } catch (IOException e) {
                // The process died; its exit code tells the story.
            }
        });
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new PostgresUnavailableException(what + " did not finish within " + timeoutSeconds + " s");
            }
            reader.join(TimeUnit.SECONDS.toMillis(5));
            if (p.exitValue() != 0) {
                throw new PostgresUnavailableException(what + " failed with exit code " + p.exitValue() + ": "
                        + output.toString(StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new PostgresUnavailableException(what + " interrupted", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort at exit.
                }
            });
        } catch (IOException e) {
            // Best effort at exit.
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[127.0.0.1:" + port + ", " + dataDir + "]";
    }
}
