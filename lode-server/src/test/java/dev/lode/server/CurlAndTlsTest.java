package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.Sha256;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server driven by curl (a real peer client), over plain HTTP and TLS, plus connection lifecycle. */
class CurlAndTlsTest {
    @TempDir
    Path dir;

    record Run(int exit, String out) {}

    static Run run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + cmd);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
    }

    static Run curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30"));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    @Test
    void curlSees200Then304ThenUpdateThen200AndRangesAndHead() throws Exception {
        byte[] a = new byte[50_000];
        new Random(5).nextBytes(a);
        Path file = dir.resolve("a.bin");
        Files.write(file, a);
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"))) {
            String url = fx.base() + "/assets/model.glb";
            Run put = curl(
                    "-X",
                    "PUT",
                    "-H",
                    "Authorization: Bearer " + ServerFixture.ADMIN,
                    "--data-binary",
                    "@" + file,
                    url);
            assertThat(put.out()).contains(Sha256.of(a).hex());
            String tag = "\"" + Sha256.of(a).hex() + "\"";
            Run first = curl("-o", dir.resolve("got").toString(), "-w", "%{http_code} %{content_type}", url);
            assertThat(first.out()).isEqualTo("200 model/gltf-binary");
            assertThat(Files.readAllBytes(dir.resolve("got"))).isEqualTo(a);
            Run notMod = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: " + tag, url);
            assertThat(notMod.out()).isEqualTo("304");
            Files.write(file, "v2".getBytes(StandardCharsets.UTF_8));
            curl("-X", "PUT", "-H", "Authorization: Bearer " + ServerFixture.ADMIN, "--data-binary", "@" + file, url);
            Run again =
                    curl("-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", "If-None-Match: " + tag, url);
            assertThat(again.out()).isEqualTo("200 2");
            Run range = curl("-r", "0-0", "-D", "-", "-o", "/dev/null", url);
            assertThat(range.out()).contains("HTTP/1.1 206").containsIgnoringCase("content-range: bytes 0-0/2");
            Run head = curl("-I", url);
            assertThat(head.out()).contains("HTTP/1.1 200").containsIgnoringCase("content-length: 2");
            Run bad = curl("-o", "/dev/null", "-w", "%{http_code}", "-r", "5-", url);
            assertThat(bad.out()).isEqualTo("416");
            Run preflight = curl(
                    "-X",
                    "OPTIONS",
                    "-D",
                    "-",
                    "-o",
                    "/dev/null",
                    "-H",
                    "Origin: http://x.test",
                    "-H",
                    "Access-Control-Request-Method: GET",
                    "-H",
                    "Access-Control-Request-Headers: range",
                    url);
            assertThat(preflight.out()).contains("HTTP/1.1 204").containsIgnoringCase("access-control-allow-origin: *");
            Run traversal = curl(
                    "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", fx.base() + "/assets/../../etc/passwd");
            assertThat(traversal.out()).isEqualTo("400");
            Run gz = curl("--compressed", "-o", "/dev/null", "-w", "%{http_code}", fx.base() + "/healthz");
            assertThat(gz.out()).isEqualTo("200");
        }
    }

    @Test
    void httpsServesWithTheGivenCertificateByCopyNotSendfile() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Run gen = run(List.of(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString(),
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1"));
        assertThat(gen.exit()).as(gen.out()).isZero();
        byte[] big = new byte[3 << 20];
        new Random(9).nextBytes(big);
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"), b -> b.tls(cert, key))) {
            fx.server.catalog(); // started
            Path f = dir.resolve("big.bin");
            Files.write(f, big);
            String url = "https://127.0.0.1:" + fx.server.port() + "/assets/big.bin";
            Run put = curl(
                    "--cacert",
                    cert.toString(),
                    "-X",
                    "PUT",
                    "-H",
                    "Authorization: Bearer " + ServerFixture.ADMIN,
                    "--data-binary",
                    "@" + f,
                    url);
            assertThat(put.out()).contains(Sha256.of(big).hex());
            Run get = curl("--cacert", cert.toString(), "-o", dir.resolve("out").toString(), "-w", "%{http_code}", url);
            assertThat(get.out()).isEqualTo("200");
            assertThat(Files.readAllBytes(dir.resolve("out"))).isEqualTo(big);
            Run range = curl(
                    "--cacert",
                    cert.toString(),
                    "-r",
                    "10-19",
                    "-o",
                    dir.resolve("r").toString(),
                    "-w",
                    "%{http_code}",
                    url);
            assertThat(range.out()).isEqualTo("206");
            assertThat(Files.readAllBytes(dir.resolve("r"))).isEqualTo(java.util.Arrays.copyOfRange(big, 10, 20));
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"), b -> b.idleTimeout(Duration.ofMillis(300)));
                Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            // a slow client that never finishes its request line is dropped
            s.getOutputStream().write("GET /heal".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void clientTricklingHeadersIsCutOff() throws Exception {
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"), b -> b.idleTimeout(Duration.ofMillis(500)));
                Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            boolean cut = false;
            out.write("GET /healthz HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            // one header line every 100 ms keeps the connection busy, but the head never completes
            for (int i = 0; i < 100 && !cut; i++) {
                try {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(100);
                } catch (IOException e) {
                    cut = true;
                }
            }
            assertThat(cut || s.getInputStream().read() == -1).isTrue();
        }
    }

    @Test
    void gracefulShutdownFinishesTheRequestInFlight() throws Exception {
        byte[] big = new byte[8 << 20];
        new Random(11).nextBytes(big);
        ServerFixture fx = ServerFixture.start(dir.resolve("data"));
        fx.putAsset("big.bin", big);
        // start a slow upload, then close the server while it is in flight
        try (Socket s = new Socket("127.0.0.1", fx.server.port())) {
            s.setSoTimeout(20_000);
            var out = s.getOutputStream();
            out.write(("PUT /assets/late.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ServerFixture.ADMIN
                            + "\r\nContent-Length: 10\r\n\r\n01234")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // let the server read the request head, so the request is in flight when closing starts
            Thread.sleep(300);
            Thread closer = Thread.ofVirtual().start(fx::close);
            Thread.sleep(200);
            // new connections are refused once the listener is closed
            assertThat(connectable(fx.server.port())).isFalse();
            out.write("56789".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(resp).startsWith("HTTP/1.1 201").containsIgnoringCase("connection: close");
            closer.join(20_000);
        }
    }

    private static boolean connectable(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void fetchedBodyMatchesWhatHttpClientSees() {
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"))) {
            HttpResponse<byte[]> r = fx.get("/healthz");
            assertThat(r.statusCode()).isEqualTo(200);
        }
    }
}
