package dev.lode.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication queue on SQLite; {@link PostgresReplicationCatalogTest} runs the same tests on a
 * real PostgreSQL. "Servers" are separate {@link Catalog} instances on one database, each with its
 * own connections, as separate lode processes would be.
 */
class ReplicationCatalogTest {
    static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    /** A fresh, migrated catalog. */
    Catalog open() {
        return Catalog.openSqlite(dir.resolve("q.db"));
    }

    /** Another server on the database {@link #open()} made. */
    Catalog openAgain() {
        return Catalog.openSqlite(dir.resolve("q.db"));
    }

    static ObjectId id(String s) {
        return Sha256.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void enqueueKeepsOneJobPerObjectAndReplicaAndSurvivesReopening() {
        Instant t0 = Instant.now();
        try (Catalog c = open()) {
            ReplicationCatalog q = c.replication();
            assertThat(q.enqueue("acme", id("a"), "eu")).isTrue();
            assertThat(q.enqueue("acme", id("a"), "eu")).isFalse();
            assertThat(q.enqueue("acme", id("a"), "us")).isTrue();
            assertThat(q.enqueue("other", id("a"), "eu")).isTrue();
            assertThat(q.size("acme")).isEqualTo(2);
            assertThat(q.size("other")).isEqualTo(1);
        }
        try (Catalog c = openAgain()) {
            List<ReplicationJob> jobs = c.replication().pending("acme");
            assertThat(jobs).extracting(ReplicationJob::replica).containsExactlyInAnyOrder("eu", "us");
            assertThat(jobs).allSatisfy(j -> {
                assertThat(j.object()).isEqualTo(id("a"));
                assertThat(j.attempts()).isZero();
                assertThat(j.leaseOwner()).isNull();
                assertThat(j.notBefore()).isAfterOrEqualTo(t0.minusSeconds(1));
            });
        }
    }

    @Test
    void aClaimedJobIsInvisibleToOtherServersUntilItsLeaseLapses() {
        try (Catalog a = open();
                Catalog b = openAgain()) {
            a.replication().enqueue("acme", id("x"), "eu");
            Instant now = Instant.now();
            List<ReplicationJob> mine = a.replication().claim("acme", "server-a", now, LEASE, 10);
            assertThat(mine).hasSize(1);
            assertThat(mine.getFirst().heldBy(now)).contains("server-a");

            assertThat(b.replication().claim("acme", "server-b", now, LEASE, 10))
                    .isEmpty();
            // server-a dies; once its lease has lapsed, server-b takes the job over
            Instant later = now.plus(LEASE).plusSeconds(1);
            List<ReplicationJob> taken = b.replication().claim("acme", "server-b", later, LEASE, 10);
            assertThat(taken).extracting(ReplicationJob::leaseOwner).containsExactly("server-b");

            // the old owner can no longer finish or reschedule it
            assertThat(a.replication().complete(mine.getFirst())).isFalse();
            assertThat(a.replication().retryLater(mine.getFirst(), later, "late"))
                    .isFalse();
            assertThat(b.replication().complete(taken.getFirst())).isTrue();
            assertThat(a.replication().size("acme")).isZero();
        }
    }

    @Test
    void failedAttemptsBackOffAndRecordTheError() {
        try (Catalog c = open()) {
            ReplicationCatalog q = c.replication();
            q.enqueue("acme", id("a"), "eu");
            q.enqueue("acme", id("b"), "eu");
            Instant now = Instant.now();
            List<ReplicationJob> jobs = q.claim("acme", "w", now, LEASE, 1);
            assertThat(jobs).hasSize(1);
            ReplicationJob first = jobs.getFirst();
            assertThat(q.retryLater(first, now.plusSeconds(60), "replica down")).isTrue();

            // the failed one is not due yet; the other one is
            assertThat(q.claim("acme", "w", now, LEASE, 10))
                    .extracting(ReplicationJob::object)
                    .doesNotContain(first.object())
                    .hasSize(1);
            ReplicationJob again = q.claim("acme", "w", now.plusSeconds(61), LEASE, 10).stream()
                    .filter(j -> j.object().equals(first.object()))
                    .findFirst()
                    .orElseThrow();
            assertThat(again.attempts()).isEqualTo(1);
            assertThat(again.lastError()).isEqualTo("replica down");
        }
    }

    @Test
    void releasingFreesAShuttingDownServersJobsAtOnce() {
        try (Catalog c = open()) {
            ReplicationCatalog q = c.replication();
            q.enqueue("acme", id("a"), "eu");
            q.enqueue("acme", id("b"), "eu");
            Instant now = Instant.now();
            assertThat(q.claim("acme", "old", now, LEASE, 10)).hasSize(2);
            assertThat(q.release("acme", "old")).isEqualTo(2);
            assertThat(q.claim("acme", "new", now, LEASE, 10)).hasSize(2);
        }
    }

    @Test
    void serversRacingForTheSameJobsClaimEachExactlyOnce() throws Exception {
        int jobs = 40;
        int servers = 3;
        List<Catalog> opened = new ArrayList<>();
        opened.add(open());
        for (int i = 1; i < servers; i++) {
            opened.add(openAgain());
        }
        try {
            for (int i = 0; i < jobs; i++) {
                opened.getFirst().replication().enqueue("acme", id("o" + i), "eu");
            }
            Instant now = Instant.now();
            CyclicBarrier start = new CyclicBarrier(servers);
            List<Future<List<ReplicationJob>>> futures = new ArrayList<>();
            try (var pool = Executors.newFixedThreadPool(servers)) {
                for (int s = 0; s < servers; s++) {
                    Catalog c = opened.get(s);
                    String owner = "server-" + s;
                    futures.add(pool.submit((Callable<List<ReplicationJob>>) () -> {
                        start.await();
                        List<ReplicationJob> got = new ArrayList<>();
                        for (int round = 0; round < 20; round++) {
                            got.addAll(c.replication().claim("acme", owner, now, LEASE, 5));
                        }
                        return got;
                    }));
                }
            }
            Set<ObjectId> seen = new HashSet<>();
            int total = 0;
            for (Future<List<ReplicationJob>> f : futures) {
                for (ReplicationJob j : f.get()) {
                    assertThat(seen.add(j.object()))
                            .as("claimed twice: %s", j.object())
                            .isTrue();
                    total++;
                }
            }
            assertThat(total).isEqualTo(jobs);
            for (ReplicationJob j : opened.getFirst().replication().pending("acme")) {
                assertThat(j.heldBy(now)).isPresent();
            }
        } finally {
            opened.forEach(Catalog::close);
        }
    }

    @Test
    void badNamesAndUnclaimedJobsAreRefused() {
        try (Catalog c = open()) {
            ReplicationCatalog q = c.replication();
            assertThatThrownBy(() -> q.enqueue("", id("a"), "eu")).hasMessageContaining("scope");
            assertThatThrownBy(() -> q.enqueue("acme", id("a"), "bad name")).hasMessageContaining("replica");
            assertThatThrownBy(() -> q.claim("acme", "w", Instant.now(), Duration.ZERO, 1))
                    .hasMessageContaining("lease");
            q.enqueue("acme", id("a"), "eu");
            ReplicationJob unclaimed = q.pending("acme").getFirst();
            assertThatThrownBy(() -> q.complete(unclaimed))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not claimed");
            assertThat(q.size("acme")).isEqualTo(1);
        }
    }
}
