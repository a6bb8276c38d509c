package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.bundle.PackResult;
import dev.lode.bundle.PluginPacker;
import dev.lode.client.AssetClient;
import dev.lode.client.AssetManifestPacket;
import dev.lode.client.PluginState;
import dev.lode.client.UdpChannel;
import dev.lode.core.Sha256;
import dev.lode.server.LodeServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed 000 flow end to end against the real {@code lode serve} on loopback: pack, serve, a
 * prefetch packet over UDP on hot-load and on a version bump, download, verify, install; and a
 * download that survives the server being killed and restarted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PluginFlowTest {
    @TempDir
    Path dir;

    private PackResult pack(String name, long id, String version, int bytes, long seed) throws IOException {
        Path src = dir.resolve("src-" + version).resolve(name);
        Files.createDirectories(src.resolve("textures"));
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        Files.write(src.resolve("textures/atlas.dds"), b);
        Files.writeString(src.resolve("init.reds"), "// " + version);
        return PluginPacker.builder()
                .pluginId(id)
                .version(version)
                .minVersion("1.0")
                .build()
                .pack(src, dir.resolve("plugins"));
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private static void assertInstalled(Path root, PackResult pack) throws IOException {
        for (var f : pack.manifest().files()) {
            assertThat(Sha256.ofFile(root.resolve(f.path()))).isEqualTo(f.sha256());
        }
    }

    @Test
    void hotLoadAndVersionBumpAreAnnouncedOnceAndInstalledFromTheRealServer() throws Exception {
        PackResult v1 = pack("vehicles", 7, "1.0", 300_000, 1);
        try (LodeServer server = LodeServer.builder(dir.resolve("data"))
                        .port(0)
                        .bind("127.0.0.1")
                        .pluginsDir(dir.resolve("plugins"))
                        .pluginRescan(Duration.ofMillis(200))
                        .build()
                        .start();
                PluginAnnouncements ann = new PluginAnnouncements(
                        server.plugins().orElseThrow(),
                        new InetSocketAddress("127.0.0.1", 0),
                        "http",
                        "127.0.0.1",
                        server.port());
                AssetClient client = AssetClient.builder()
                        .cacheDir(dir.resolve("cache"))
                        .runtimeDir(dir.resolve("runtime_cache"))
                        .build()) {
            List<AssetManifestPacket> packets = new CopyOnWriteArrayList<>();
            try (UdpChannel udp = new UdpChannel(
                    ann.address(),
                    p -> {
                        packets.add(p);
                        client.onPacket(p);
                    },
                    Duration.ofMillis(100))) {
                await(() -> client.isReady(7), "plugin 7 v1.0 to be ready");
                assertThat(packets.getFirst().url().toString())
                        .isEqualTo("http://127.0.0.1:" + server.port() + "/plugins/7/manifest");
                assertThat(packets.getFirst().sha256())
                        .isEqualTo(v1.manifest().bundle().sha256());
                assertThat(packets.getFirst().minVersion()).isEqualTo("1.0");
                Path link = dir.resolve("runtime_cache/plugins/7");
                assertInstalled(link, v1);

                PackResult v2 = pack("vehicles", 7, "1.1", 300_000, 2);
                await(
                        () -> client.state(7) instanceof PluginState.Ready r
                                && r.version().equals("1.1"),
                        "v1.1");
                assertInstalled(link, v2);
                Thread.sleep(500); // later subscriptions and rescans must not resend either version
                assertThat(packets)
                        .extracting(AssetManifestPacket::sha256)
                        .containsExactly(
                                v1.manifest().bundle().sha256(),
                                v2.manifest().bundle().sha256());
            }
        }
    }

    @Test
    void aDownloadSurvivesTheServerBeingKilledAndRestarted() throws Exception {
        PackResult pack = pack("world", 9, "2.0", 3_000_000, 3);
        Path data = dir.resolve("data");
        LodeServer server = LodeServer.builder(data)
                .port(0)
                .bind("127.0.0.1")
                .pluginsDir(dir.resolve("plugins"))
                .build()
                .start();
        int port = server.port();
        List<PluginState> states = new CopyOnWriteArrayList<>();
        try (AssetClient client = AssetClient.builder()
                .cacheDir(dir.resolve("cache"))
                .runtimeDir(dir.resolve("runtime_cache"))
                .rate(1_000_000)
                .retry(new dev.lode.client.RetryPolicy(20, Duration.ofMillis(100), Duration.ofMillis(300)))
                .listener((id, s) -> states.add(s))
                .build()) {
            var done = client.fetch(java.net.URI.create("http://127.0.0.1:" + port + "/plugins/9/manifest"), 9);
            Path part = dir.resolve(
                    "cache/plugins/" + pack.manifest().bundle().sha256().hex() + ".zip.part");
            await(() -> Files.exists(part) && size(part) > 600_000, "part of the bundle to arrive");
            server.close();
            long had = size(part);
            int before = states.size();
            Thread.sleep(300);
            server = LodeServer.builder(data)
                    .port(port)
                    .bind("127.0.0.1")
                    .pluginsDir(dir.resolve("plugins"))
                    .build()
                    .start();

            assertThat(done.get().version()).isEqualTo("2.0");
            assertInstalled(dir.resolve("runtime_cache/plugins/9"), pack);
            // It carried on from the .part file: no progress after the restart starts below it.
            assertThat(states.subList(before, states.size()))
                    .filteredOn(s -> s instanceof PluginState.Downloading)
                    .allMatch(s -> ((PluginState.Downloading) s).done() >= had);
        } finally {
            server.close();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
