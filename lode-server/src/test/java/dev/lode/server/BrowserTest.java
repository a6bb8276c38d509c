package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser: headless Chromium opens a page served from another origin, which loads a GLB
 * with three.js GLTFLoader and an HDR environment map with RGBELoader from the lode server. Needs
 * Debian's {@code chromium} and {@code npm} (three is installed from npm into a temporary folder);
 * skipped, saying why, when either is missing.
 */
class BrowserTest {
    @TempDir
    Path dir;

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** A one-triangle glTF 2.0 binary. */
    static byte[] triangleGlb() {
        ByteBuffer bin = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {0, 0, 0, 1, 0, 0, 0, 1, 0}) {
            bin.putFloat(f);
        }
        String json = "{\"asset\":{\"version\":\"2.0\"},\"scene\":0,\"scenes\":[{\"nodes\":[0]}],"
                + "\"nodes\":[{\"mesh\":0,\"name\":\"ship\"}],\"meshes\":[{\"primitives\":[{\"attributes\":{\"POSITION\":0}}]}],"
                + "\"accessors\":[{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\","
                + "\"min\":[0,0,0],\"max\":[1,1,0]}],"
                + "\"bufferViews\":[{\"buffer\":0,\"byteOffset\":0,\"byteLength\":36}],\"buffers\":[{\"byteLength\":36}]}";
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        int jLen = (j.length + 3) & ~3;
        int total = 12 + 8 + jLen + 8 + 36;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46546C67).putInt(2).putInt(total);
        b.putInt(jLen).putInt(0x4E4F534A).put(j);
        for (int i = j.length; i < jLen; i++) {
            b.put((byte) ' ');
        }
        b.putInt(36).putInt(0x004E4942).put(bin.array());
        return b.array();
    }

    /** A 2×2 Radiance HDR (flat RGBE pixels). */
    static byte[] tinyHdr() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 2 +X 2\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 4; i++) {
            out.writeBytes(new byte[] {(byte) 128, 64, 32, (byte) 129});
        }
        return out.toByteArray();
    }

    static String run(Path cwd, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(cwd, "proc-", ".log");
        Process p = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "timed out after " + timeoutSeconds + " s: " + cmd + "\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + ": " + cmd + "\n" + out);
        }
        return out;
    }

    @Test
    void chromiumLoadsGlbAndHdrFromAnotherOriginWithoutCorsErrors() throws Exception {
        assumeTrue(onPath("chromium"), "chromium not installed (apt-get install -y chromium)");
        assumeTrue(onPath("npm"), "npm not installed");
        Path site = Files.createDirectories(dir.resolve("site"));
        run(site, List.of("npm", "install", "--no-audit", "--no-fund", "--silent", "three@0.187.0"), 300);

        try (ServerFixture lode = ServerFixture.start(dir.resolve("data"))) {
            assertThat(lode.putAsset("ship.glb", triangleGlb()).statusCode()).isEqualTo(201);
            assertThat(lode.putAsset("sky.hdr", tinyHdr()).statusCode()).isEqualTo(201);

            Files.writeString(site.resolve("index.html"), """
                    <!doctype html><html><head><meta charset="utf-8">
                    <script type="importmap">{"imports":{
                      "three":"/node_modules/three/build/three.module.js",
                      "three/addons/":"/node_modules/three/examples/jsm/"}}</script>
                    </head><body><pre id="out">PENDING</pre>
                    <script type="module">
                    import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
                    import { RGBELoader } from 'three/addons/loaders/RGBELoader.js';
                    const out = document.getElementById('out');
                    try {
                      const gltf = await new GLTFLoader().loadAsync('LODE/assets/ship.glb');
                      let meshes = 0;
                      gltf.scene.traverse(o => { if (o.isMesh) meshes++; });
                      const hdr = await new RGBELoader().loadAsync('LODE/assets/sky.hdr');
                      out.textContent = 'LOADED glb-meshes=' + meshes + ' hdr=' + hdr.image.width + 'x' + hdr.image.height;
                    } catch (e) {
                      out.textContent = 'FAILED ' + e;
                    }
                    </script></body></html>
                    """.replace("LODE", lode.base()));

            HttpServer page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            page.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            page.createContext("/", ex -> {
                String path = ex.getRequestURI().getPath();
                Path f = site.resolve(path.substring(1)).normalize();
                if (!f.startsWith(site) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                ex.getResponseHeaders()
                        .set("Content-Type", path.endsWith(".html") ? "text/html; charset=utf-8" : "text/javascript");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            page.start();
            try {
                String pageUrl = "http://127.0.0.1:" + page.getAddress().getPort() + "/index.html";
                assertThat(pageUrl).doesNotStartWith(lode.base()); // a different origin (port)
                List<String> cmd = new ArrayList<>(List.of(
                        "chromium",
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + dir.resolve("profile"),
                        "--enable-logging=stderr",
                        "--v=0",
                        "--virtual-time-budget=20000",
                        "--dump-dom",
                        pageUrl));
                String out = run(dir, cmd, 120);
                assertThat(out).contains("LOADED glb-meshes=1 hdr=2x2");
                assertThat(out).doesNotContain("CORS").doesNotContain("Access-Control-Allow-Origin");
            } finally {
                page.stop(0);
            }
        }
    }
}
