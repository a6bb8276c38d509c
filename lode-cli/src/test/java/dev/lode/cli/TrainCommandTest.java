package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void theTrainingRunPullsARealPluginAndLeavesNothingBehind() throws Exception {
        assertThat(Lode.run("aot-train", "--work", dir.toString())).isZero();
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void theTrainingCommandIsHiddenFromHelp() {
        StringWriter out = new StringWriter();
        var cl = Lode.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.execute("--help");
        assertThat(out.toString()).contains("pull").doesNotContain("aot-train");
    }
}
