package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.catalog.Catalog;
import dev.lode.core.ByteRange;
import dev.lode.core.LodeException;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A primary and a replica s3proxy, the replication queue in a SQLite catalog ({@link
 * PostgresReplicationTest} runs the same on PostgreSQL). The primary is stopped and restarted to
 * test outages; a "restart" of lode is a new catalog connection and a new {@link
 * ReplicatedObjectStore} on the same database.
 */
class ReplicationTest {
    @TempDir
    Path tmp;

    S3ProxyServer primaryServer;
    S3ProxyServer replicaServer;
    S3Stores primaryStores;
    S3Stores replicaStores;
    RequestLog replicaRequests = new RequestLog();
    final List<Catalog> catalogs = new ArrayList<>();

    /** A new connection to the test's catalog database (a lode process starting). */
    Catalog connectCatalog() {
        return Catalog.openSqlite(tmp.resolve("catalog.db"));
    }

    Catalog catalog() {
        Catalog c = connectCatalog();
        catalogs.add(c);
        return c;
    }

    @BeforeEach
    void start() {
        primaryServer = S3ProxyServer.start(tmp.resolve("primary"));
        replicaServer = S3ProxyServer.start(tmp.resolve("replica"));
        RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20));
        primaryStores =
                S3Stores.open(primaryServer.settings("main").retry(quick).build());
        replicaStores = S3Stores.open(replicaServer
                .settings("backup")
                .retry(quick)
                .interceptor(replicaRequests)
                .build());
        primaryStores.createBucketIfMissing();
        replicaStores.createBucketIfMissing();
    }

    @AfterEach
    void stop() {
        catalogs.forEach(Catalog::close);
        primaryStores.close();
        replicaStores.close();
        primaryServer.close();
        replicaServer.close();
    }

    ReplicatedObjectStore replicated(Catalog catalog, boolean start) {
        return replicated(CatalogReplicationQueue.open(catalog, "acme"), start);
    }

    ReplicatedObjectStore replicated(ReplicationQueue queue, boolean start) {
        return ReplicatedObjectStore.builder(primaryStores.forTenant("acme"))
                .replica("eu", replicaStores.forTenant("acme"))
                .queue(queue)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .pollInterval(Duration.ofMillis(20))
                .startReplication(start)
                .build();
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void writesAreCopiedToTheReplicaWithTheirMediaType() throws Exception {
        byte[] data = random(1, 7 * 1024 * 1024);
        try (ReplicatedObjectStore store = replicated(catalog(), true)) {
            ObjectId id = store.put(new ByteArrayInputStream(data), PutOptions.forPath("hall.hdr"))
                    .id();
            assertThat(store.awaitReplicated(Duration.ofSeconds(60))).isTrue();

            S3ObjectStore replica = replicaStores.forTenant("acme");
            assertThat(replica.readAllBytes(id)).isEqualTo(data);
            assertThat(replica.mediaType(id)).map(m -> m.mime()).contains("image/vnd.radiance");
            assertThat(replica.cacheControl(id)).contains(S3ObjectStore.CACHE_CONTROL);
        }
    }

    @Test
    void readsFallBackToTheReplicaWhileThePrimaryIsDownAndTheQueueDrainsAfterARestart() throws Exception {
        byte[] early = random(2, 200_000);
        byte[] late = random(3, 300_000);
        ObjectId earlyId;
        try (ReplicatedObjectStore store = replicated(catalog(), true)) {
            earlyId = store.putBytes(early).id();
            assertThat(store.awaitReplicated(Duration.ofSeconds(60))).isTrue();
        }
        // A process that wrote and stopped before replicating: its task waits in the catalog.
        ObjectId lateId;
        Catalog first = catalog();
        try (ReplicatedObjectStore store = replicated(first, false)) {
            lateId = store.putBytes(late).id();
            assertThat(store.queue().size()).isEqualTo(1);
        }
        first.close();

        primaryServer.stop();
        // The restarted process: a new catalog connection and a new store on the same database.
        try (ReplicatedObjectStore store = replicated(catalog(), true)) {
            assertThat(store.queue().pending())
                    .extracting(ReplicationTask::object)
                    .containsExactly(lateId);
            assertThat(store.readAllBytes(earlyId)).isEqualTo(early);
            try (InputStream in = store.openRange(earlyId, new ByteRange(1000, 50))) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(early, 1000, 1050));
            }
            assertThat(store.contains(earlyId)).isTrue();
            // The late object is only on the (down) primary: its copy keeps failing and waits.
            assertThatThrownBy(() -> store.readAllBytes(lateId)).isInstanceOf(LodeException.class);
            waitUntil(() -> store.queue().pending().getFirst().attempts() >= 2);
            ReplicationTask waiting = store.queue().pending().getFirst();
            assertThat(waiting.object()).isEqualTo(lateId);
            assertThat(waiting.lastError()).isNotBlank();

            primaryServer.restart();

            assertThat(store.awaitReplicated(Duration.ofSeconds(60))).isTrue();
            assertThat(replicaStores.forTenant("acme").readAllBytes(lateId)).isEqualTo(late);
            assertThat(store.readAllBytes(lateId)).isEqualTo(late);
        }
    }

    @Test
    void aSecondServerOnTheSameCatalogReplicatesTheFirstOnesWrites() throws Exception {
        byte[] data = random(4, 100_000);
        try (ReplicatedObjectStore writer = replicated(catalog(), false);
                ReplicatedObjectStore worker = replicated(catalog(), true)) {
            ObjectId id = writer.putBytes(data).id();
            assertThat(worker.awaitReplicated(Duration.ofSeconds(60))).isTrue();
            assertThat(writer.queue().size()).isZero();
            assertThat(replicaStores.forTenant("acme").readAllBytes(id)).isEqualTo(data);
        }
    }

    @Test
    void aCrashedServersClaimIsTakenOverOnceItsLeaseLapses() throws Exception {
        byte[] data = random(5, 50_000);
        ObjectId id = primaryStores.forTenant("acme").putBytes(data).id();
        // The crashed server: it claimed the task and never finished (nor closed its queue).
        CatalogReplicationQueue crashed = CatalogReplicationQueue.open(catalog(), "acme", Duration.ofMillis(300));
        crashed.enqueue(id, "eu");
        assertThat(crashed.claim(Instant.now(), 10)).hasSize(1);

        try (ReplicatedObjectStore survivor = replicated(catalog(), true)) {
            assertThat(survivor.awaitReplicated(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(replicaStores.forTenant("acme").readAllBytes(id)).isEqualTo(data);
    }

    @Test
    void queueIgnoresDuplicatesAndKeepsTasksAcrossReopen() {
        ObjectId a = Sha256.of(new byte[] {1});
        ObjectId b = Sha256.of(new byte[] {2});
        try (CatalogReplicationQueue q = CatalogReplicationQueue.open(catalog(), "acme")) {
            q.enqueue(a, "eu");
            q.enqueue(a, "eu");
            q.enqueue(a, "us");
            q.enqueue(b, "eu");
            ReplicationTask first = q.claim(Instant.now(), 1).getFirst();
            q.retryLater(first, Instant.now().plusSeconds(3600), "replica down");
        }
        try (CatalogReplicationQueue q = CatalogReplicationQueue.open(catalog(), "acme")) {
            assertThat(q.size()).isEqualTo(3);
            ReplicationTask delayed = q.pending().stream()
                    .filter(t -> t.attempts() == 1)
                    .findFirst()
                    .orElseThrow();
            assertThat(delayed.lastError()).isEqualTo("replica down");
            List<ReplicationTask> due = q.claim(Instant.now(), 10);
            assertThat(due).hasSize(2).doesNotContain(delayed);
            due.forEach(q::complete);
            assertThat(q.size()).isEqualTo(1);
            assertThat(CatalogReplicationQueue.open(catalog(), "other").size()).isZero();
        }
    }

    @Test
    void closingAfterTheCatalogIsGoneLeavesTheClaimsToLapse() {
        Catalog c = connectCatalog();
        CatalogReplicationQueue q = CatalogReplicationQueue.open(c, "acme", Duration.ofMillis(200));
        q.enqueue(Sha256.of(new byte[] {7}), "eu");
        assertThat(q.claim(Instant.now(), 1)).hasSize(1);
        c.close();
        q.close(); // logs, does not throw
        try (CatalogReplicationQueue other = CatalogReplicationQueue.open(catalog(), "acme")) {
            assertThat(other.claim(Instant.now().plusSeconds(1), 1)).hasSize(1);
        }
    }

    @Test
    void aBadScopeIsRefusedWithItsName() {
        Catalog c = catalog();
        assertThatThrownBy(() -> CatalogReplicationQueue.open(c, "no spaces"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no spaces");
        assertThatThrownBy(() -> CatalogReplicationQueue.open(c, "acme", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime())
                    .as("condition not reached within 60 s")
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
