package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.bundle.PackResult;
import dev.lode.bundle.PluginPacker;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AssetClientTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> reloads = new CopyOnWriteArrayList<>();
    private final List<PluginState> states = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        closeables.add(c);
        return c;
    }

    private Path plugins() {
        return dir.resolve("plugins");
    }

    /** Packs a plugin folder named {@code name} with {@code files} random files of {@code size} bytes. */
    private PackResult pack(String name, long id, String version, String minVersion, int files, int size, long seed)
            throws IOException {
        Path src = dir.resolve("src-" + name + "-" + version);
        Random rnd = new Random(seed);
        for (int i = 0; i < files; i++) {
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            Path f = src.resolve("textures/t" + i + ".dds");
            Files.createDirectories(f.getParent());
            Files.write(f, b);
        }
        Files.writeString(src.resolve("scripts.reds"), "// version " + version);
        Path out = plugins();
        Files.createDirectories(out);
        // Replace an older pack of the same plugin, as `lode pack` into the same folder does.
        Path folder = out.resolve(name);
        if (Files.exists(folder)) {
            RuntimeDir.deleteTree(folder);
        }
        Path named = dir.resolve("named-" + version).resolve(name);
        Files.createDirectories(named.getParent());
        Files.move(src, named);
        PluginPacker.Builder b = PluginPacker.builder().pluginId(id).version(version);
        if (minVersion != null) {
            b.minVersion(minVersion);
        }
        return b.build().pack(named, out);
    }

    private AssetClient.Builder clientBuilder() {
        return AssetClient.builder()
                .cacheDir(dir.resolve("cache"))
                .runtimeDir(dir.resolve("runtime_cache"))
                .rate(0)
                .retry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(50)))
                .proxy((id, path) -> reloads.add(id + ":" + path))
                .listener((id, s) -> states.add(s));
    }

    /** The server records a request just after answering it: wait (bounded) until it has {@code n}. */
    private static void awaitRecorded(BundleServer server, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.requests.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(50); // and none more arrives
    }

    private AssetClient client() {
        return keep(clientBuilder().build());
    }

    private static void assertSameTree(Path runtimePlugin, PackResult pack) throws IOException {
        for (var f : pack.manifest().files()) {
            Path p = runtimePlugin.resolve(f.path());
            assertThat(p).exists();
            assertThat(Sha256.ofFile(p)).isEqualTo(f.sha256());
        }
    }

    @Test
    void fetchDownloadsVerifiesUnpacksAndCallsTheReloadHook() throws Exception {
        PackResult pack = pack("vehicles", 7, "1.0.3", "1.0.0", 5, 100_000, 1);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();

        PluginState.Ready ready = client.fetch(server.manifestUrl(7), 7).get();

        assertThat(ready.version()).isEqualTo("1.0.3");
        Path link = dir.resolve("runtime_cache/plugins/7");
        assertThat(ready.path()).isEqualTo(link);
        assertSameTree(link, pack);
        assertThat(dir.resolve(
                        "cache/plugins/" + pack.manifest().bundle().sha256().hex() + ".zip"))
                .exists();
        assertThat(reloads).containsExactly("7:" + link);
        assertThat(client.isReady(7)).isTrue();
        assertThat(states).anyMatch(s -> s instanceof PluginState.Downloading);
        assertThat(states.getLast()).isInstanceOf(PluginState.Ready.class);
        try (Stream<Path> s = Files.list(dir.resolve("cache/plugins"))) {
            assertThat(s).noneMatch(p -> p.toString().endsWith(".part"));
        }
    }

    @Test
    void anUnchangedManifestCostsOne304AndNoDownload() throws Exception {
        pack("ui", 3, "2.0", null, 2, 10_000, 2);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        client.fetch(server.manifestUrl(3), 3).get();
        int before = server.requests.size();

        client.fetch(server.manifestUrl(3), 3).get();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.requests.size() <= before && System.nanoTime() < deadline) {
            Thread.sleep(5); // the server records a request just after answering it
        }
        Thread.sleep(100);
        List<BundleServer.Request> all = List.copyOf(server.requests);
        List<BundleServer.Request> after = all.subList(before, all.size());
        assertThat(after).hasSize(1);
        assertThat(after.getFirst().status()).isEqualTo(304);
        assertThat(reloads).hasSize(1);
    }

    @Test
    void aVersionBumpSwitchesTheRuntimeFolderAtomicallyAndRemovesTheOldVersion() throws Exception {
        PackResult v1 = pack("maps", 9, "1.0", null, 3, 20_000, 3);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        client.fetch(server.manifestUrl(9), 9).get();
        Path link = dir.resolve("runtime_cache/plugins/9");
        Path oldTarget = link.toRealPath();

        PackResult v2 = pack("maps", 9, "1.1", null, 3, 20_000, 4);
        PluginState.Ready r = client.fetch(server.manifestUrl(9), 9).get();

        assertThat(r.version()).isEqualTo("1.1");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertSameTree(link, v2);
        assertThat(oldTarget).doesNotExist();
        assertThat(v1.manifest().bundle().sha256())
                .isNotEqualTo(v2.manifest().bundle().sha256());
        assertThat(reloads).hasSize(2);
    }

    @Test
    void minVersionGatesGameplayUntilTheAssetsArePresent() throws Exception {
        pack("core", 1, "1.0.0", null, 1, 1000, 5);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        client.requireMinVersion(1, "1.2.0");
        assertThat(client.isReady(1)).isFalse();
        client.fetch(server.manifestUrl(1), 1).get();
        assertThat(client.isReady(1)).isFalse(); // installed 1.0.0 < 1.2.0
        pack("core", 1, "1.2.0", null, 1, 1000, 6);
        client.fetch(server.manifestUrl(1), 1).get();
        assertThat(client.isReady(1)).isTrue();
    }

    @Test
    void aRestartedClientFindsItsInstalledPluginsAndDiscardsCorruptCacheEntries() throws Exception {
        PackResult pack = pack("audio", 4, "3.0", null, 2, 50_000, 7);
        BundleServer server = keep(new BundleServer(plugins()));
        try (AssetClient first = clientBuilder().build()) {
            first.fetch(server.manifestUrl(4), 4).get();
        }
        Path zip =
                dir.resolve("cache/plugins/" + pack.manifest().bundle().sha256().hex() + ".zip");
        byte[] bytes = Files.readAllBytes(zip);
        bytes[bytes.length / 2] ^= 1;
        Files.write(zip, bytes);

        AssetClient second = client();
        assertThat(zip).doesNotExist();
        assertThat(second.isReady(4)).isTrue();
        assertThat(second.state(4)).isInstanceOf(PluginState.Ready.class);
    }

    @Test
    void notFoundFailsAtOnceWithAMessageNamingTheUrl() throws Exception {
        Files.createDirectories(plugins());
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        URI url = server.manifestUrl(55);
        assertThatThrownBy(() -> client.fetch(url, 55).get())
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("not found at " + url)
                .hasMessageContaining("404");
        awaitRecorded(server, 1);
        assertThat(server.requests).hasSize(1);
        assertThat(client.state(55)).isInstanceOf(PluginState.Failed.class);
        assertThat(client.isReady(55)).isFalse();
    }

    @Test
    void aManifestUrlWithoutHostOrHttpSchemeIsRefusedAtOnce() {
        AssetClient client = client();
        assertThatThrownBy(() -> client.fetch(URI.create("ftp://host/plugins/1/manifest"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absolute http(s) URL");
        assertThatThrownBy(() -> client.fetch(URI.create("http:35999//127.0.0.1/plugins/1/manifest"), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenSucceed() throws Exception {
        pack("fx", 12, "1.0", null, 1, 5000, 8);
        BundleServer server = keep(new BundleServer(plugins()));
        server.failNext(2, 500);
        AssetClient client = client();
        assertThat(client.fetch(server.manifestUrl(12), 12).get().version()).isEqualTo("1.0");
        assertThat(server.requests.stream().filter(r -> r.status() == 500)).hasSize(2);
    }

    @Test
    void persistentServerErrorsEndInAClearFailureAfterTheLastAttempt() throws Exception {
        pack("fx", 12, "1.0", null, 1, 5000, 8);
        BundleServer server = keep(new BundleServer(plugins()));
        server.failNext(100, 503);
        AssetClient client = client();
        assertThatThrownBy(() -> client.fetch(server.manifestUrl(12), 12).get())
                .cause()
                .hasMessageContaining("server error 503")
                .hasMessageContaining("after 4 attempts");
        awaitRecorded(server, 4);
        assertThat(server.requests).hasSize(4);
    }

    @Test
    void aDownloadCutByAServerRestartResumesWithRangeAndIfRange() throws Exception {
        PackResult pack = pack("world", 20, "1.0", null, 4, 400_000, 9);
        BundleServer server = keep(new BundleServer(plugins()));
        server.slowBytesPerSecond = 2_000_000;
        AssetClient client = keep(clientBuilder()
                .retry(new RetryPolicy(10, Duration.ofMillis(200), Duration.ofMillis(400)))
                .build());
        var future = client.fetch(server.manifestUrl(20), 20);
        Path part =
                dir.resolve("cache/plugins/" + pack.manifest().bundle().sha256().hex() + ".zip.part");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((!Files.exists(part) || Files.size(part) < 200_000) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        server.stop(); // killed mid-download
        Thread.sleep(300);
        server.slowBytesPerSecond = 0;
        server.start(); // restarted on the same port

        PluginState.Ready r = future.get();

        assertThat(r.version()).isEqualTo("1.0");
        assertSameTree(dir.resolve("runtime_cache/plugins/20"), pack);
        assertThat(server.zipRequests())
                .anyMatch(q -> q.status() == 206
                        && q.range() != null
                        && q.ifRange()
                                .equals("\"" + pack.manifest().bundle().sha256().hex() + "\""));
    }

    @Test
    void aPartFromAnOlderBundleStartsOverWhenIfRangeNoLongerMatches() throws Exception {
        PackResult pack = pack("world", 21, "2.0", null, 2, 100_000, 10);
        String sha = pack.manifest().bundle().sha256().hex();
        Path cachePlugins = Files.createDirectories(dir.resolve("cache/plugins"));
        // A leftover .part for this hash whose bytes are wrong: resume, verify, discard, refetch.
        Files.write(cachePlugins.resolve(sha + ".zip.part"), new byte[5000]);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        assertThat(client.fetch(server.manifestUrl(21), 21).get().version()).isEqualTo("2.0");
        assertSameTree(dir.resolve("runtime_cache/plugins/21"), pack);
        assertThat(server.zipRequests()).anyMatch(q -> q.status() == 206);
        assertThat(server.zipRequests()).anyMatch(q -> q.status() == 200);
    }

    @Test
    void aFlippedByteIsDetectedDiscardedAndRefetched() throws Exception {
        PackResult pack = pack("skins", 30, "1.0", null, 3, 100_000, 11);
        BundleServer server = keep(new BundleServer(plugins()));
        // connection 1: manifest (clean). The proxy counts connections; flip in the 2nd (the zip).
        FaultyProxy proxy = keep(new FaultyProxy(server.port(), FaultyProxy.Fault.FLIP, 150_000, 1));
        AssetClient client = client();
        // Fetch the manifest through the server directly first so the proxy's first connection is the zip.
        URI viaProxy = proxy.rewrite(server.manifestUrl(30));
        PluginState.Ready r = client.fetch(viaProxy, 30).get();
        assertThat(r.version()).isEqualTo("1.0");
        assertSameTree(dir.resolve("runtime_cache/plugins/30"), pack);
        assertThat(server.zipRequests()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aPersistentlyCorruptingProxyEndsInAClearHashError() throws Exception {
        PackResult pack = pack("skins", 31, "1.0", null, 3, 100_000, 12);
        BundleServer server = keep(new BundleServer(plugins()));
        FaultyProxy proxy = keep(new FaultyProxy(server.port(), FaultyProxy.Fault.FLIP, 150_000, -1));
        AssetClient client = client();
        assertThatThrownBy(() ->
                        client.fetch(proxy.rewrite(server.manifestUrl(31)), 31).get())
                .cause()
                .hasMessageContaining("hash mismatch")
                .hasMessageContaining(pack.manifest().bundle().sha256().hex())
                .hasMessageContaining("twice");
        assertThat(dir.resolve("runtime_cache/plugins/31")).doesNotExist();
        try (Stream<Path> s = Files.list(dir.resolve("cache/plugins"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void aStalledConnectionIsAbortedAndRetried() throws Exception {
        PackResult pack = pack("stall", 40, "1.0", null, 2, 200_000, 13);
        BundleServer server = keep(new BundleServer(plugins()));
        FaultyProxy proxy = keep(new FaultyProxy(server.port(), FaultyProxy.Fault.STALL, 100_000, 1));
        AssetClient client =
                keep(clientBuilder().stallTimeout(Duration.ofMillis(500)).build());
        PluginState.Ready r =
                client.fetch(proxy.rewrite(server.manifestUrl(40)), 40).get();
        assertThat(r.version()).isEqualTo("1.0");
        assertSameTree(dir.resolve("runtime_cache/plugins/40"), pack);
        assertThat(proxy.connections.get()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anUnwritableCacheIsAClearErrorAtStart() throws Exception {
        Files.writeString(dir.resolve("cache"), "a file where the cache folder should be");
        assertThatThrownBy(() -> clientBuilder().build())
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("cache");
    }

    @Test
    void aZipSlipBundleIsRefusedAndLeavesNothingInstalled() throws Exception {
        PackResult good = pack("evil", 66, "1.0", null, 1, 1000, 14);
        // Replace the zip with one holding ../escape.txt, and fix the manifest's hash and size.
        Path evilZip = dir.resolve("evil.zip");
        try (OutputStream fo = Files.newOutputStream(evilZip);
                ZipOutputStream z = new ZipOutputStream(fo)) {
            byte[] data = "pwned".getBytes();
            ZipEntry e = new ZipEntry("../escape.txt");
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setCrc(crc.getValue());
            z.putNextEntry(e);
            z.write(data);
            z.closeEntry();
        }
        var sha = Sha256.ofFile(evilZip);
        Path folder = good.directory();
        Files.delete(good.bundleFile());
        Files.copy(evilZip, folder.resolve("assets." + sha.hex() + ".zip"));
        String manifest = Files.readString(good.manifestFile())
                .replace(good.manifest().bundle().sha256().hex(), sha.hex())
                .replace("\"size\" : " + good.manifest().bundle().size(), "\"size\" : " + Files.size(evilZip))
                .replace("\"size\": " + good.manifest().bundle().size(), "\"size\": " + Files.size(evilZip));
        Files.writeString(good.manifestFile(), manifest);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();

        assertThatThrownBy(() -> client.fetch(server.manifestUrl(66), 66).get())
                .cause()
                .isInstanceOf(DownloadException.class)
                .hasMessageContaining("refused");
        assertThat(dir.resolve("runtime_cache/plugins/66")).doesNotExist();
        assertThat(dir.resolve("runtime_cache/escape.txt")).doesNotExist();
        assertThat(dir.resolve("runtime_cache/plugins/escape.txt")).doesNotExist();
        assertThat(dir.resolve("cache/plugins/" + sha.hex() + ".zip")).doesNotExist();
    }

    @Test
    void downloadsPauseWhileThePingIsHighAndResumeWhenIdle() throws Exception {
        PackResult pack = pack("lag", 50, "1.0", null, 2, 300_000, 15);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client =
                keep(clientBuilder().idleTime(Duration.ofMillis(300)).build());
        client.lagGate().onPing(Duration.ofMillis(400));
        var future = client.fetch(server.manifestUrl(50), 50);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(client.state(50) instanceof PluginState.Paused) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(client.state(50)).isInstanceOf(PluginState.Paused.class);
        assertThat(client.state(50).describe()).contains("ping over 250 ms");
        assertThat(future).isNotDone();
        // The realtime link is fine again: samples under the threshold.
        client.lagGate().onPing(Duration.ofMillis(20));
        assertThat(future.get().version()).isEqualTo("1.0");
        assertSameTree(dir.resolve("runtime_cache/plugins/50"), pack);
    }

    @Test
    void lowBandwidthModeHoldsDownloadsBack() throws Exception {
        pack("lowbw", 51, "1.0", null, 1, 10_000, 16);
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = client();
        client.lagGate().setLowBandwidth(true);
        var future = client.fetch(server.manifestUrl(51), 51);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(client.state(51) instanceof PluginState.Paused) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(client.state(51).describe()).contains("low-bandwidth");
        assertThat(server.zipRequests()).isEmpty();
        client.lagGate().setLowBandwidth(false);
        assertThat(future.get().version()).isEqualTo("1.0");
    }

    @Test
    void higherPriorityPluginsAreDownloadedFirst() throws Exception {
        for (int i = 1; i <= 4; i++) {
            pack("p" + i, 100 + i, "1.0", null, 1, 20_000, 20 + i);
        }
        BundleServer server = keep(new BundleServer(plugins()));
        AssetClient client = keep(clientBuilder().maxConcurrent(1).build());
        // Hold the single worker with a paused download, queue the rest, then release.
        client.lagGate().setLowBandwidth(true);
        var first = client.fetch(server.manifestUrl(101), 101, 0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(client.state(101) instanceof PluginState.Paused) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        var low = client.fetch(server.manifestUrl(102), 102, 1);
        var high = client.fetch(server.manifestUrl(103), 103, 10);
        var mid = client.fetch(server.manifestUrl(104), 104, 5);
        client.lagGate().setLowBandwidth(false);
        first.get();
        low.get();
        high.get();
        mid.get();
        List<String> order = server.zipRequests().stream()
                .map(r -> r.path().split("/")[2])
                .distinct()
                .toList();
        assertThat(order).containsExactly("101", "103", "104", "102");
    }

    @Test
    void theCacheEvictsLeastRecentlyUsedZipsThatAreNotInUse() throws Exception {
        BundleServer server = keep(new BundleServer(Files.createDirectories(plugins())));
        AssetClient client = keep(clientBuilder().cacheLimit(150_000).build());
        List<String> shas = new ArrayList<>();
        for (int v = 1; v <= 3; v++) {
            PackResult p = pack("big", 77, "1." + v, null, 1, 100_000, 30 + v);
            shas.add(p.manifest().bundle().sha256().hex());
            client.fetch(server.manifestUrl(77), 77).get();
        }
        // Only the installed (in-use) version's zip survives the 150 kB limit.
        assertThat(dir.resolve("cache/plugins/" + shas.get(2) + ".zip")).exists();
        assertThat(dir.resolve("cache/plugins/" + shas.get(0) + ".zip")).doesNotExist();
        assertThat(dir.resolve("cache/plugins/" + shas.get(1) + ".zip")).doesNotExist();
    }
}
