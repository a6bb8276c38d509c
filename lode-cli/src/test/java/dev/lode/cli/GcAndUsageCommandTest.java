package dev.lode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.catalog.Catalog;
import dev.lode.catalog.TenantAsset;
import dev.lode.catalog.TenantAssetKey;
import dev.lode.core.LocalObjectStore;
import dev.lode.core.ObjectId;
import dev.lode.core.StoredObject;
import dev.lode.server.LodeServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcAndUsageCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    @TempDir
    Path tree;

    record Out(int code, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Out lode(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            var cl = Lode.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
            String[] all = new String[args.length + 2];
            System.arraycopy(args, 0, all, 0, args.length);
            all[args.length] = "--data";
            all[args.length + 1] = data.toString();
            int code = cl.execute(all);
            return new Out(
                    code,
                    out.toString(StandardCharsets.UTF_8).strip(),
                    err.toString(StandardCharsets.UTF_8).strip());
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** Sets every object's file time two hours back, past the default grace period. */
    private void ageAllObjects() throws IOException {
        try (LocalObjectStore store = LocalObjectStore.open(data.resolve("store"))) {
            List<ObjectId> ids = new ArrayList<>();
            store.forEach(ids::add);
            for (ObjectId id : ids) {
                Files.setLastModifiedTime(
                        store.pathOf(id), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
            }
        }
    }

    @Test
    void gcDryRunReportsAndGcRemovesRunsPastRetentionAndTheirObjects() throws IOException {
        StoredObject old;
        StoredObject kept;
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"));
                LocalObjectStore store = LocalObjectStore.open(data.resolve("store"))) {
            c.tenants().create("acme");
            old = store.putBytes("last year's texture".getBytes(StandardCharsets.UTF_8));
            kept = store.putBytes("this week's texture".getBytes(StandardCharsets.UTF_8));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "old-run/texture/a.png"),
                            old.id(),
                            old.size(),
                            "image/png",
                            false,
                            Instant.now().minus(Duration.ofDays(40))));
            c.tenantAssets()
                    .put(new TenantAsset(
                            TenantAssetKey.parse("acme", "new-run/texture/a.png"),
                            kept.id(),
                            kept.size(),
                            "image/png",
                            false,
                            Instant.now().minus(Duration.ofDays(3))));
        }
        ageAllObjects();

        Out dry = lode("gc", "--dry-run", "--json");
        assertThat(dry.code()).isZero();
        JsonNode d = dry.json();
        assertThat(d.get("dryRun").asBoolean()).isTrue();
        assertThat(d.get("runsRemoved").asLong()).isEqualTo(1);
        assertThat(d.get("assetsRemoved").asLong()).isEqualTo(1);
        assertThat(d.get("objectsDeleted").asLong()).isEqualTo(1);
        assertThat(d.get("bytesFreed").asLong()).isEqualTo(old.size());
        assertThat(d.get("runs").get(0).get("run").asText()).isEqualTo("old-run");
        assertThat(Files.exists(data.resolve("store/objects")
                        .resolve(old.id().hex().substring(0, 2))
                        .resolve(old.id().hex().substring(2, 4))
                        .resolve(old.id().hex())))
                .isTrue();

        // a shorter retention takes the newer run too, in a dry run only
        assertThat(lode("gc", "--dry-run", "--older-than", "2d", "--json")
                        .json()
                        .get("runsRemoved")
                        .asLong())
                .isEqualTo(2);

        Out real = lode("gc");
        assertThat(real.code()).isZero();
        assertThat(real.stdout()).contains("runs removed").contains("old-run").contains("acme");
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"));
                LocalObjectStore store = LocalObjectStore.open(data.resolve("store"))) {
            assertThat(c.tenantAssets().find(TenantAssetKey.parse("acme", "old-run/texture/a.png")))
                    .isEmpty();
            assertThat(store.contains(old.id())).isFalse();
            assertThat(store.contains(kept.id())).isTrue();
        }
        assertThat(lode("gc", "--json").json().get("objectsDeleted").asLong()).isZero();
    }

    @Test
    void gcRefusesBadDurations() {
        Out bad = lode("gc", "--grace", "soon");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.stderr()).contains("bad duration 'soon'");
        assertThat(lode("gc", "--older-than", "0d").stderr()).contains("must be positive");
    }

    @Test
    void anIngestedTreeIsPinnedAndSurvivesGc() throws IOException {
        Files.writeString(tree.resolve("a.txt"), "alpha");
        Files.writeString(tree.resolve("b.txt"), "beta");
        Out ingest = lode("ingest", "-q", tree.toString());
        assertThat(ingest.code()).isZero();
        ageAllObjects();
        assertThat(lode("gc", "--json").json().get("objectsDeleted").asLong()).isZero();
        try (LocalObjectStore store = LocalObjectStore.open(data.resolve("store"))) {
            assertThat(store.contains(ObjectId.parse(ingest.stdout()))).isTrue();
            assertThat(store.stats().objects()).isEqualTo(3);
        }
    }

    @Test
    void usageShowsWhatAServerStoredAndServed() throws Exception {
        String key;
        byte[] texture = new byte[5000];
        new java.util.Random(5).nextBytes(texture);
        try (Catalog c = Catalog.openSqlite(data.resolve("catalog.db"))) {
            key = c.tenants().create("acme");
            c.tenants().create("globex");
        }
        try (LodeServer server = LodeServer.builder(data)
                .port(0)
                .bind("127.0.0.1")
                .gcEvery(Duration.ZERO)
                .build()
                .start()) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port() + "/t/acme/";
            for (String path : new String[] {"r1/texture/a.png", "r2/texture/a.png"}) {
                HttpResponse<Void> put = http.send(
                        HttpRequest.newBuilder(URI.create(base + path))
                                .header("Authorization", "Bearer " + key)
                                .PUT(HttpRequest.BodyPublishers.ofByteArray(texture))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(put.statusCode()).isBetween(200, 201);
            }
            HttpResponse<byte[]> get = http.send(
                    HttpRequest.newBuilder(URI.create(base + "r1/texture/a.png"))
                            .header("Authorization", "Bearer " + key)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.body()).isEqualTo(texture);
        }

        Out json = lode("usage", "--tenant", "acme", "--json");
        assertThat(json.code()).isZero();
        JsonNode acme = json.json().get(0);
        assertThat(acme.get("tenant").asText()).isEqualTo("acme");
        assertThat(acme.get("assets").asLong()).isEqualTo(2);
        assertThat(acme.get("objects").asLong()).isEqualTo(1);
        assertThat(acme.get("logicalBytes").asLong()).isEqualTo(10_000);
        assertThat(acme.get("storedBytes").asLong()).isEqualTo(5000);
        assertThat(acme.get("bytesServed").asLong()).isEqualTo(5000);
        assertThat(json.json()).hasSize(1);

        Out table = lode("usage");
        assertThat(table.stdout().lines().toList())
                .hasSize(3)
                .first()
                .asString()
                .contains("TENANT", "OBJECTS", "SERVED");
        assertThat(table.stdout()).contains("acme").contains("globex").contains("4.9 KiB");

        Out unknown = lode("usage", "--tenant", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.stderr()).contains("no tenant 'nobody'");
    }
}
