package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lode.core.Sha256;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginServingTest {
    @TempDir
    Path dir;

    /** Writes a plugin the way the packer lays it out: the zip first, then the manifest. */
    static String pack(Path plugins, String folder, String id, String version, byte[] zip) throws IOException {
        Path d = Files.createDirectories(plugins.resolve(folder));
        String sha = Sha256.of(zip).hex();
        String name = "assets." + sha + ".zip";
        Files.write(d.resolve(name), zip);
        String manifest = "{\"pluginId\":\"" + id + "\",\"version\":\"" + version + "\",\"minVersion\":\"1.0\","
                + "\"files\":[{\"path\":\"a.lua\",\"size\":3}],\"extra\":{\"ignored\":true},"
                + "\"bundle\":{\"name\":\"" + name + "\",\"size\":" + zip.length + ",\"sha256\":\"" + sha + "\"}}";
        Path tmp = d.resolve("manifest.tmp");
        Files.writeString(tmp, manifest);
        Files.move(
                tmp,
                d.resolve("manifest"),
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return name;
    }

    @Test
    void servesManifestAndBundleWithShaEtagsAndHotLoadsChanges() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        String zip1 = pack(plugins, "quests", "quests", "1.0.0", "zip-one".getBytes(StandardCharsets.UTF_8));
        LinkedBlockingQueue<PluginChange> events = new LinkedBlockingQueue<>();
        try (ServerFixture fx = ServerFixture.start(
                dir.resolve("data"), b -> b.pluginsDir(plugins).pluginRescan(Duration.ofMillis(500)))) {
            PluginRegistry reg = fx.server.plugins().orElseThrow();
            reg.addListener(events::add);
            assertThat(reg.changesSince(0)).singleElement().isInstanceOf(PluginChange.Added.class);

            HttpResponse<byte[]> m = fx.get("/plugins/quests/manifest");
            assertThat(m.statusCode()).isEqualTo(200);
            assertThat(ServerFixture.body(m)).contains("\"version\":\"1.0.0\"");
            assertThat(m.headers().firstValue("etag"))
                    .contains("\"" + Sha256.of(m.body()).hex() + "\"");
            HttpResponse<byte[]> z = fx.get("/plugins/quests/" + zip1);
            assertThat(z.statusCode()).isEqualTo(200);
            assertThat(z.body()).isEqualTo("zip-one".getBytes(StandardCharsets.UTF_8));
            assertThat(z.headers().firstValue("etag"))
                    .contains("\"" + Sha256.of(z.body()).hex() + "\"");
            assertThat(z.headers().firstValue("content-type")).contains("application/zip");
            String tag = z.headers().firstValue("etag").orElseThrow();
            assertThat(fx.get("/plugins/quests/" + zip1, "If-None-Match", tag).statusCode())
                    .isEqualTo(304);
            assertThat(fx.get("/plugins/quests/assets.other.zip").statusCode()).isEqualTo(404);
            assertThat(fx.get("/plugins/quests/manifest.tmp").statusCode()).isEqualTo(404);

            // hot-load a new plugin and bump the first one's version, no restart
            pack(plugins, "shop", "shop", "0.1", "zip-shop".getBytes(StandardCharsets.UTF_8));
            String zip2 = pack(plugins, "quests", "quests", "1.1.0", "zip-two".getBytes(StandardCharsets.UTF_8));
            List<PluginChange> seen = new CopyOnWriteArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                PluginChange c = events.poll(200, TimeUnit.MILLISECONDS);
                if (c != null) {
                    seen.add(c);
                }
            }
            assertThat(seen)
                    .anySatisfy(c -> assertThat(c)
                            .isInstanceOfSatisfying(
                                    PluginChange.Added.class,
                                    a -> assertThat(a.pluginId()).isEqualTo("shop")));
            assertThat(seen)
                    .anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(PluginChange.Updated.class, u -> {
                        assertThat(u.previous().version()).isEqualTo("1.0.0");
                        assertThat(u.plugin().version()).isEqualTo("1.1.0");
                        assertThat(u.plugin().bundleUrlPath()).isEqualTo("/plugins/quests/" + zip2);
                    }));
            assertThat(ServerFixture.body(fx.get("/plugins/quests/manifest"))).contains("1.1.0");
            assertThat(fx.get("/plugins/quests/" + zip2).body()).isEqualTo("zip-two".getBytes(StandardCharsets.UTF_8));
            assertThat(fx.get("/plugins/shop/manifest").statusCode()).isEqualTo(200);
            assertThat(reg.changesSince(1)).hasSizeGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void bundleThatDoesNotMatchItsManifestIsNotServed() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        String name = pack(plugins, "bad", "bad", "1", "good-bytes".getBytes(StandardCharsets.UTF_8));
        Files.writeString(plugins.resolve("bad").resolve(name), "evil-bytes"); // same size, other content
        Files.createDirectories(plugins.resolve("junk"));
        Files.writeString(plugins.resolve("junk/manifest"), "{not json");
        try (PluginRegistry reg = PluginRegistry.watch(plugins, Duration.ofSeconds(30))) {
            assertThat(reg.all()).isEmpty();
            assertThat(reg.find("bad")).isEmpty();
        }
    }

    @Test
    void unknownPluginIs404() {
        try (ServerFixture fx = ServerFixture.start(dir.resolve("data"))) {
            assertThat(fx.get("/plugins/none/manifest").statusCode()).isEqualTo(404);
        }
    }
}
