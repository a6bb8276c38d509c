package dev.lode.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Auto-staging against a real source of truth: a JDK HTTP server on loopback that counts its hits. */
class StagingTest {
    @TempDir
    Path dir;

    HttpServer source;
    final AtomicInteger hits = new AtomicInteger();
    /** What the source does: "ok", "fail" (500), "slow" (waits), "missing" (404). */
    final AtomicReference<String> mode = new AtomicReference<>("ok");

    final CountDownLatch release = new CountDownLatch(1);

    static byte[] icon(String id) {
        return ("PNG-bytes-of-" + id).getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void startSource() throws IOException {
        source = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        source.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        source.createContext("/icons/", ex -> {
            hits.incrementAndGet();
            String id = ex.getRequestURI().getPath().substring("/icons/".length());
            try {
                switch (mode.get()) {
                    case "fail" -> ex.sendResponseHeaders(500, -1);
                    case "missing" -> ex.sendResponseHeaders(404, -1);
                    case "slow" -> {
                        release.await();
                        ex.sendResponseHeaders(500, -1);
                    }
                    case "stall" -> {
                        ex.sendResponseHeaders(200, 1000);
                        OutputStream o = ex.getResponseBody();
                        o.write(new byte[10]);
                        o.flush();
                        release.await();
                    }
                    default -> {
                        Thread.sleep(200); // long enough for every concurrent request to pile up
                        byte[] b = icon(id);
                        ex.getResponseHeaders().set("Content-Type", "image/png");
                        ex.sendResponseHeaders(200, b.length);
                        try (OutputStream o = ex.getResponseBody()) {
                            o.write(b);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                ex.close();
            }
        });
        source.start();
    }

    @AfterEach
    void stopSource() {
        release.countDown();
        source.stop(0);
    }

    private ServerFixture server(Duration timeout) {
        String template = "http://127.0.0.1:" + source.getAddress().getPort() + "/icons/{id}";
        return ServerFixture.start(
                dir.resolve("data"), b -> b.stageFrom(new StageSource.HttpTemplate(template, timeout)));
    }

    @Test
    void hundredConcurrentRequestsForAMissingAssetHitTheSourceOnce() throws Exception {
        try (ServerFixture fx = server(Duration.ofSeconds(10));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<byte[]>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(pool.submit(() -> fx.get("/assets/2566")));
            }
            for (Future<HttpResponse<byte[]>> f : all) {
                HttpResponse<byte[]> r = f.get();
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(icon("2566"));
                assertThat(r.headers().firstValue("etag"))
                        .contains("\"" + Sha256.of(icon("2566")).hex() + "\"");
            }
            assertThat(hits.get()).isEqualTo(1);
            assertThat(fx.server.stagingFetches()).isEqualTo(1);
            // staged for good: the next request is served from the store, and 304 works
            HttpResponse<byte[]> again = fx.get("/assets/2566");
            String tag = again.headers().firstValue("etag").orElseThrow();
            assertThat(fx.get("/assets/2566", "If-None-Match", tag).statusCode())
                    .isEqualTo(304);
            assertThat(hits.get()).isEqualTo(1);
            assertThat(again.headers().firstValue("content-type")).contains("image/png");
        }
    }

    @Test
    void sourceErrorGives502StoresNothingAndTheNextRequestRetries() {
        try (ServerFixture fx = server(Duration.ofSeconds(10))) {
            mode.set("fail");
            HttpResponse<byte[]> r = fx.get("/assets/8007");
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(ServerFixture.body(r)).startsWith("{\"error\":\"Source of truth failed");
            assertThat(fx.server.catalog().assets().find("8007")).isEmpty();
            assertThat(fx.server.stores().shared().stats().objects()).isZero();
            mode.set("ok");
            HttpResponse<byte[]> ok = fx.get("/assets/8007");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo(icon("8007"));
            assertThat(hits.get()).isEqualTo(2);
        }
    }

    @Test
    void sourceTimeoutGives504() {
        try (ServerFixture fx = server(Duration.ofMillis(300))) {
            mode.set("slow");
            HttpResponse<byte[]> r = fx.get("/assets/995");
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(ServerFixture.body(r)).contains("timed out");
            assertThat(fx.server.catalog().assets().find("995")).isEmpty();
        }
    }

    @Test
    void sourceThatStallsMidBodyGives504AndStoresNothing() {
        try (ServerFixture fx = server(Duration.ofMillis(400))) {
            mode.set("stall");
            HttpResponse<byte[]> r = fx.get("/assets/stuck.png");
            assertThat(r.statusCode()).isEqualTo(504);
            assertThat(fx.server.catalog().assets().find("stuck.png")).isEmpty();
            assertThat(fx.server.stores().shared().stats().objects()).isZero();
        }
    }

    @Test
    void sourceWithoutTheAssetGives404() {
        try (ServerFixture fx = server(Duration.ofSeconds(5))) {
            mode.set("missing");
            HttpResponse<byte[]> r = fx.get("/assets/1");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(ServerFixture.body(r)).isEqualTo("{\"error\":\"Asset not found\"}");
        }
    }

    @Test
    void folderSourceStagesFilesAndRefusesTraversal() throws IOException {
        Path src = Files.createDirectories(dir.resolve("truth"));
        Files.write(src.resolve("logo.png"), icon("logo"));
        Files.writeString(dir.resolve("outside.txt"), "secret");
        try (ServerFixture fx =
                ServerFixture.start(dir.resolve("data2"), b -> b.stageFrom(new StageSource.Folder(src)))) {
            HttpResponse<byte[]> r = fx.get("/assets/logo.png");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(icon("logo"));
            assertThat(r.headers().firstValue("content-type")).contains("image/png");
            assertThat(fx.get("/assets/nothing.png").statusCode()).isEqualTo(404);
            assertThat(fx.get("/assets/%2e%2e%2foutside.txt").statusCode()).isEqualTo(400);
        }
    }
}
