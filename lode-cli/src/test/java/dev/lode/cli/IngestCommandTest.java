package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.LocalObjectStore;
import dev.lode.core.ManifestCodec;
import dev.lode.core.ObjectId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IngestCommandTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    private Run lode(String... args) {
        PrintStream oldOut = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = Lode.commandLine();
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void ingestPrintsTheIdOfAStoredManifest() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("textures"));
        Files.writeString(tree.resolve("textures/a.json"), "{\"a\":1}");
        Files.write(tree.resolve("b.png"), new byte[] {1, 2, 3});
        Path data = dir.resolve("data");

        Run r = lode("ingest", tree.toString(), "--data", data.toString(), "-q");

        assertThat(r.code()).isZero();
        ObjectId id = ObjectId.parse(r.out().trim());
        var manifest = ManifestCodec.decode(
                LocalObjectStore.open(data.resolve("store")).readAllBytes(id));
        assertThat(manifest.entries()).extracting(e -> e.path()).containsExactly("b.png", "textures/a.json");
        assertThat(manifest.entry("b.png").orElseThrow().mediaType()).isEqualTo("image/png");
        try (var catalog = dev.lode.catalog.Catalog.openSqlite(data.resolve("catalog.db"))) {
            var asset = catalog.assets().find("tree").orElseThrow();
            assertThat(asset.objectId()).isEqualTo(id);
            assertThat(asset.mediaType()).isEqualTo(ManifestCodec.MEDIA_TYPE);
        }
    }

    @Test
    void ingestNamesTheManifestAsGivenOrOnlyPinsIt() throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("a.txt"), "a");
        Path data = dir.resolve("data");

        Run named = lode("ingest", tree.toString(), "--data", data.toString(), "-q", "--name", "level-1");
        Run unnamed =
                lode("ingest", tree.toString(), "--data", dir.resolve("data2").toString(), "-q", "--unnamed");
        Run bad = lode("ingest", tree.toString(), "--data", data.toString(), "-q", "--name", "../x");

        assertThat(named.code()).isZero();
        try (var catalog = dev.lode.catalog.Catalog.openSqlite(data.resolve("catalog.db"))) {
            assertThat(catalog.assets().find("level-1").orElseThrow().objectId())
                    .isEqualTo(ObjectId.parse(named.out().trim()));
            assertThat(catalog.assets().find("tree")).isEmpty();
        }
        assertThat(unnamed.code()).isZero();
        try (var catalog = dev.lode.catalog.Catalog.openSqlite(dir.resolve("data2/catalog.db"))) {
            assertThat(catalog.assets().find("tree")).isEmpty();
            assertThat(catalog.lifecycle().roots())
                    .extracting(r -> r.objectId())
                    .containsExactly(ObjectId.parse(unnamed.out().trim()));
        }
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("cannot record the manifest as asset '../x'");
    }

    @Test
    void ingestOfAMissingFolderFailsWithAClearMessage() {
        Run r = lode(
                "ingest",
                dir.resolve("missing").toString(),
                "--data",
                dir.resolve("d").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no such folder").contains("missing");
        assertThat(dir.resolve("d")).doesNotExist();
    }

    @Test
    void helpListsTheCommands() {
        PrintStream oldOut = System.out;
        StringWriter out = new StringWriter();
        CommandLine cl = Lode.commandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("--help")).isZero();
        assertThat(out.toString()).contains("ingest");
        System.setOut(oldOut);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = lode("ingest", dir.toString(), "--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
    }
}
