package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI as a user runs it: {@code target/lode-cli.jar} with its {@code lib/} folder in a
 * separate JVM, so the runtime class path (not the test class path) is what is checked. It serves,
 * ingests and answers {@code curl}; a dependency that is only on the test class path fails here.
 */
class PackagedCliIT {
    private static final Pattern LISTENING = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private static List<String> java(String... args) {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                javaBin,
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                Path.of("target/lode-cli.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private record Result(int code, String out, String err) {}

    private static Result exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        // stderr is small; read it after stdout, both before waiting
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    private static String run(List<String> cmd) throws Exception {
        Result r = exec(cmd);
        assertThat(r.code()).as(String.join(" ", cmd) + "\n" + r.err()).isZero();
        return r.out().strip();
    }

    @Test
    void exitCodesSayOkFailureOrUsageAndStderrCarriesOnlyLodesOwnLines() throws Exception {
        Result ok = exec(java("--version"));
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).startsWith("lode ");
        assertThat(ok.err()).isEmpty();

        Path missing = tmp.resolve("no-such-bundle");
        Result failed = exec(java("verify", missing.toString()));
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.err()).startsWith("lode verify: error: ").contains(missing.toString());
        assertThat(failed.err().lines()).hasSize(1);

        Result usage = exec(java("pull", "--no-such-option"));
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).startsWith("Unknown option: '--no-such-option'").contains("Usage: lode pull");

        Result unknown = exec(java("no-such-command"));
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unmatched argument at index 0: 'no-such-command'");

        for (Result r : List.of(ok, failed, usage, unknown)) {
            assertThat(r.err()).doesNotContain("SLF4J").doesNotContain("logback");
        }
    }

    @Test
    void thePackagedCliServesWhatItIngestsToCurl() throws Exception {
        Path data = tmp.resolve("data");
        Path tree = tmp.resolve("levels");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("a.json"), "{\"level\":1}");

        String manifestId = run(java("ingest", tree.toString(), "--data", data.toString(), "-q"));
        assertThat(manifestId).matches("[0-9a-f]{64}");

        Process server = new ProcessBuilder(
                        java("serve", "--port", "0", "--bind", "127.0.0.1", "--data", data.toString()))
                .start();
        try {
            int port = awaitPort(server);
            String health = run(List.of("curl", "-sf", "http://127.0.0.1:" + port + "/healthz"));
            assertThat(health).contains("\"ok\"");
            String etag = run(List.of(
                    "curl",
                    "-sf",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %header{etag}",
                    "http://127.0.0.1:" + port + "/assets/levels"));
            assertThat(etag).isEqualTo("200 \"" + manifestId + "\"");
        } finally {
            server.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static int awaitPort(Process server) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = err.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException e) {
                        // the server went away
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("lode serve exited before listening:\n" + seen);
    }
}
