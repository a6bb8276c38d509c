package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** lode pack / verify / unpack end to end through the real command line. */
class BundleCommandsTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    static Run lode(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Lode.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path plugin() throws IOException {
        Path p = tmp.resolve("cyber");
        Files.createDirectories(p.resolve("models"));
        Files.writeString(p.resolve("models/veh_cc.ent"), "entity\n".repeat(1000));
        Files.writeString(p.resolve("main.reds"), "func main() {}\n");
        Files.writeString(p.resolve("plugin.json"), "{\"pluginId\": 7, \"version\": \"1.0.3\"}");
        return p;
    }

    private static void openssl(Path dir, String... args) throws Exception {
        String[] cmd = Stream.concat(Stream.of("openssl"), Stream.of(args)).toArray(String[]::new);
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();
    }

    @Test
    void packVerifyUnpackRoundTrip() throws IOException {
        Path src = plugin();
        Path plugins = tmp.resolve("plugins");
        Run pack = lode("pack", src.toString(), "--out", plugins.toString(), "--min-version", "1.0.0", "-q");
        assertThat(pack.exit()).as(pack.err()).isZero();
        assertThat(pack.out().strip())
                .isEqualTo(plugins.resolve("cyber").toAbsolutePath().toString());
        assertThat(Files.readString(plugins.resolve("cyber/manifest")))
                .contains("\"pluginId\": 7")
                .contains("\"minVersion\": \"1.0.0\"");

        Run verify = lode("verify", plugins.resolve("cyber").toString());
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).startsWith("OK ").contains("plugin 7 version 1.0.3, 2 files");

        Path zip;
        try (Stream<Path> s = Files.list(plugins.resolve("cyber"))) {
            zip = s.filter(p -> p.getFileName().toString().endsWith(".zip"))
                    .findFirst()
                    .orElseThrow();
        }
        Run unpack = lode("unpack", zip.toString(), tmp.resolve("out").toString());
        assertThat(unpack.exit()).as(unpack.err()).isZero();
        assertThat(tmp.resolve("out/models/veh_cc.ent")).hasSameTextualContentAs(src.resolve("models/veh_cc.ent"));
        assertThat(tmp.resolve("out/plugin.json")).doesNotExist();

        Run again = lode("unpack", zip.toString(), tmp.resolve("out").toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");
        assertThat(lode(
                                "unpack",
                                "--replace",
                                zip.toString(),
                                tmp.resolve("out").toString())
                        .exit())
                .isZero();
    }

    @Test
    void versionFlagIsThePluginVersionNotLodes() throws IOException {
        Run r = lode("pack", plugin().toString(), "--out", tmp.resolve("p").toString(), "--version", "9.9", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readString(tmp.resolve("p/cyber/manifest"))).contains("\"version\": \"9.9\"");
    }

    @Test
    void signedBundleVerifiesWithTheRightKeyOnly() throws Exception {
        openssl(tmp, "genpkey", "-algorithm", "ed25519", "-out", "k.pem");
        openssl(tmp, "pkey", "-in", "k.pem", "-pubout", "-out", "k.pub");
        openssl(tmp, "genpkey", "-algorithm", "ed25519", "-out", "other.pem");
        openssl(tmp, "pkey", "-in", "other.pem", "-pubout", "-out", "other.pub");
        Path plugins = tmp.resolve("plugins");
        Run pack = lode(
                "pack",
                plugin().toString(),
                "--out",
                plugins.toString(),
                "--sign",
                tmp.resolve("k.pem").toString(),
                "-q");
        assertThat(pack.exit()).as(pack.err()).isZero();
        assertThat(plugins.resolve("cyber/manifest.sig")).exists();

        Run ok = lode(
                "verify",
                plugins.resolve("cyber").toString(),
                "--pubkey",
                tmp.resolve("k.pub").toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("signature valid");

        Run bad = lode(
                "verify",
                plugins.resolve("cyber").toString(),
                "--pubkey",
                tmp.resolve("other.pub").toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("FAILED signature").contains("not a valid Ed25519 signature");
    }

    @Test
    void tamperedZipFailsVerifyNamingExpectedAndActual() throws IOException {
        Path plugins = tmp.resolve("plugins");
        assertThat(lode("pack", plugin().toString(), "--out", plugins.toString(), "-q")
                        .exit())
                .isZero();
        Path zip;
        try (Stream<Path> s = Files.list(plugins.resolve("cyber"))) {
            zip = s.filter(p -> p.getFileName().toString().endsWith(".zip"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] b = Files.readAllBytes(zip);
        b[b.length / 3] ^= 1;
        Files.write(zip, b);
        Run r = lode("verify", plugins.resolve("cyber").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .contains("FAILED bundle: " + zip.getFileName() + " sha256 expected")
                .contains("but is");
    }

    @Test
    void badInputIsOneClearLineAndNoOutput() throws IOException {
        Path plugins = tmp.resolve("plugins");
        Run missing = lode("pack", tmp.resolve("nope").toString(), "--out", plugins.toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("lode pack: error: plugin folder not found");

        Path src = plugin();
        Files.delete(src.resolve("plugin.json"));
        Run noId = lode("pack", src.toString(), "--out", plugins.toString());
        assertThat(noId.exit()).isEqualTo(1);
        assertThat(noId.err()).contains("no plugin id").contains("--plugin-id");

        Path junkKey = Files.writeString(tmp.resolve("junk.pem"), "not a key");
        Run badKey = lode(
                "pack",
                src.toString(),
                "--out",
                plugins.toString(),
                "--plugin-id",
                "1",
                "--version",
                "1",
                "--sign",
                junkKey.toString());
        assertThat(badKey.exit()).isEqualTo(1);
        assertThat(badKey.err()).contains("junk.pem").contains("not a PEM key");
        assertThat(plugins).doesNotExist();
    }

    @Test
    void unpackRefusesZipSlip() throws IOException {
        byte[] name = "../evil.txt".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "pwned".getBytes(StandardCharsets.US_ASCII);
        Path zip = tmp.resolve("slip.zip");
        Files.write(zip, storedZip(name, data));
        Run r = lode("unpack", zip.toString(), tmp.resolve("dest").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("unsafe path").contains("../evil.txt");
        assertThat(tmp.resolve("dest")).doesNotExist();
        assertThat(tmp.resolve("evil.txt")).doesNotExist();
    }

    /** A one-entry stored zip, built byte by byte (no library writes a zip-slip entry). */
    private static byte[] storedZip(byte[] name, byte[] data) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        var out = java.nio.ByteBuffer.allocate(200 + 2 * name.length + data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        out.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
        out.putInt(0).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
        out.putShort((short) name.length).putShort((short) 0).put(name).put(data);
        int cd = out.position();
        out.putInt(0x02014b50)
                .putShort((short) 20)
                .putShort((short) 20)
                .putShort((short) 0)
                .putShort((short) 0);
        out.putInt(0).putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
        out.putShort((short) name.length)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 0);
        out.putShort((short) 0).putInt(0).putInt(0).put(name);
        int cdSize = out.position() - cd;
        out.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) 1)
                .putShort((short) 1);
        out.putInt(cdSize).putInt(cd).putShort((short) 0);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }
}
