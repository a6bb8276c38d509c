package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.LodeException;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A primary and a replica s3proxy; the primary is stopped and restarted to test outages. */
class ReplicationTest {
    @TempDir
    Path tmp;

    S3ProxyServer primaryServer;
    S3ProxyServer replicaServer;
    S3Stores primaryStores;
    S3Stores replicaStores;

    @BeforeEach
    void start() {
        primaryServer = S3ProxyServer.start(tmp.resolve("primary"));
        replicaServer = S3ProxyServer.start(tmp.resolve("replica"));
        RetryPolicy quick = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20));
        primaryStores =
                S3Stores.open(primaryServer.settings("main").retry(quick).build());
        replicaStores =
                S3Stores.open(replicaServer.settings("backup").retry(quick).build());
        primaryStores.createBucketIfMissing();
        replicaStores.createBucketIfMissing();
    }

    @AfterEach
    void stop() {
        primaryStores.close();
        replicaStores.close();
        primaryServer.close();
        replicaServer.close();
    }

    ReplicatedObjectStore replicated(boolean start) {
        return ReplicatedObjectStore.builder(primaryStores.forTenant("acme"))
                .replica("eu", replicaStores.forTenant("acme"))
                .queue(SqliteReplicationQueue.open(tmp.resolve("queue.db")))
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
        try (ReplicatedObjectStore store = replicated(true)) {
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
    void readsFallBackToTheReplicaWhileThePrimaryIsDownAndTheQueueDrainsAfter() throws Exception {
        byte[] early = random(2, 200_000);
        byte[] late = random(3, 300_000);
        ObjectId earlyId;
        try (ReplicatedObjectStore store = replicated(true)) {
            earlyId = store.putBytes(early).id();
            assertThat(store.awaitReplicated(Duration.ofSeconds(60))).isTrue();
        }
        // A process that wrote and stopped before replicating: its tasks wait in the queue file.
        ObjectId lateId;
        try (ReplicatedObjectStore store = replicated(false)) {
            lateId = store.putBytes(late).id();
            assertThat(store.queue().size()).isEqualTo(1);
        }

        primaryServer.stop();
        try (ReplicatedObjectStore store = replicated(true)) {
            assertThat(store.readAllBytes(earlyId)).isEqualTo(early);
            try (InputStream in = store.openRange(earlyId, new dev.lode.core.ByteRange(1000, 50))) {
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
    void queueKeepsTasksAcrossReopenAndIgnoresDuplicates() {
        ObjectId a = Sha256.of(new byte[] {1});
        ObjectId b = Sha256.of(new byte[] {2});
        Path file = tmp.resolve("q.db");
        try (SqliteReplicationQueue q = SqliteReplicationQueue.open(file)) {
            q.enqueue(a, "eu");
            q.enqueue(a, "eu");
            q.enqueue(a, "us");
            q.enqueue(b, "eu");
            ReplicationTask first = q.pending().getFirst();
            q.retryLater(first, Instant.now().plusSeconds(3600), "replica down");
        }
        try (SqliteReplicationQueue q = SqliteReplicationQueue.open(file)) {
            assertThat(q.size()).isEqualTo(3);
            ReplicationTask first = q.pending().getFirst();
            assertThat(first.object()).isEqualTo(a);
            assertThat(first.attempts()).isEqualTo(1);
            assertThat(first.lastError()).isEqualTo("replica down");
            assertThat(q.due(Instant.now(), 10))
                    .extracting(ReplicationTask::object)
                    .containsExactly(a, b);
            q.due(Instant.now(), 10).forEach(q::complete);
            assertThat(q.size()).isEqualTo(1);
        }
    }

    @Test
    void unopenableQueueFailsWithItsPath() {
        Path dir = tmp.resolve("a-folder");
        dir.toFile().mkdirs();
        assertThatThrownBy(() -> SqliteReplicationQueue.open(dir))
                .isInstanceOf(LodeException.class)
                .hasMessageContaining(dir.toString());
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
