package dev.lode.s3;

import dev.lode.core.ByteRange;
import dev.lode.core.DirectUrls;
import dev.lode.core.LodeException;
import dev.lode.core.MediaType;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectNotFoundException;
import dev.lode.core.StoreStats;
import dev.lode.core.StoredObject;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary store with asynchronous copies in one or more replicas (seed 003 US9, multi-region).
 *
 * <p><b>Writes</b> go to the primary; once it has the object, one task per replica is committed to
 * the durable {@link ReplicationQueue} (a table in the catalog, see {@link CatalogReplicationQueue})
 * before the put returns. A background thread claims due tasks (streaming from the primary,
 * verified by hash into the replica, keeping the media type) and retries failures with exponential
 * backoff and jitter, without limit, so a replica or primary outage only delays replication. A
 * restart resumes from the queue; several servers sharing one catalog share the work, each task
 * claimed by one of them at a time. The window between the primary's commit and the queue's is a
 * single catalog transaction; a crash inside it leaves an object unreplicated until it is put
 * again.
 *
 * <p><b>Reads</b> try the primary, then each replica in order when the primary fails (down, object
 * missing or corrupt); the primary's failure is rethrown, with the others suppressed, when every
 * store fails. A stream already open is not switched over mid-way.
 *
 * <p>{@link #delete} removes from the primary and, best effort, from every replica. Listing and
 * stats are the primary's. Closing stops the worker and closes the queue (freeing its claims), not
 * the stores or the catalog.
 */
public final class ReplicatedObjectStore implements TypedObjectStore, DirectUrls {
    private static final Logger log = LoggerFactory.getLogger(ReplicatedObjectStore.class);
    private static final int BATCH = 16;

    private final TypedObjectStore primary;
    private final Map<String, TypedObjectStore> replicas;
    private final ReplicationQueue queue;
    private final RetryPolicy backoff;
    private final Duration pollInterval;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running;
    private Thread worker;

    private ReplicatedObjectStore(Builder b) {
        this.primary = b.primary;
        this.replicas = Map.copyOf(b.replicas);
        this.queue = b.queue;
        this.backoff = b.backoff;
        this.pollInterval = b.pollInterval;
        if (b.start) {
            start();
        }
    }

    /** A builder over {@code primary}. */
    public static Builder builder(TypedObjectStore primary) {
        return new Builder(primary);
    }

    /** Starts the replication worker (done by {@link Builder#build()} unless turned off). */
    public void start() {
        lock.lock();
        try {
            if (worker != null) {
                return;
            }
            running = true;
            // Virtual: a server replicating per tenant runs one worker per tenant it has written to.
            worker = Thread.ofVirtual().name("lode-replication").start(this::work);
        } finally {
            lock.unlock();
        }
    }

    /** The durable queue of copies still to make. */
    public ReplicationQueue queue() {
        return queue;
    }

    /** Waits until the queue is empty or {@code timeout} passes; returns whether it is empty. */
    public boolean awaitReplicated(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (queue.size() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    // ---------------------------------------------------------------- writes

    @Override
    public StoredObject put(InputStream in, PutOptions options) {
        return replicated(primary.put(in, options));
    }

    @Override
    public StoredObject putFile(Path file, PutOptions options) {
        return replicated(primary.putFile(file, options));
    }

    @Override
    public StoredObject putVerified(InputStream in, ObjectId expected, PutOptions options) {
        return replicated(primary.putVerified(in, expected, options));
    }

    /** Queues the object for every replica, even when the primary already held it (self-healing). */
    private StoredObject replicated(StoredObject stored) {
        for (String name : replicas.keySet()) {
            queue.enqueue(stored.id(), name);
        }
        signal();
        return stored;
    }

    @Override
    public boolean delete(ObjectId id) {
        boolean deleted = primary.delete(id);
        replicas.forEach((name, replica) -> {
            try {
                replica.delete(id);
            } catch (LodeException e) {
                log.warn("cannot delete {} from replica {}: {}", id, name, e.getMessage());
            }
        });
        return deleted;
    }

    // ---------------------------------------------------------------- reads with fallback

    private <T> T read(Function<TypedObjectStore, T> op) {
        try {
            return op.apply(primary);
        } catch (LodeException primaryFailure) {
            for (Map.Entry<String, TypedObjectStore> r : replicas.entrySet()) {
                try {
                    T result = op.apply(r.getValue());
                    log.info(
                            "read served by replica {} after primary failed: {}",
                            r.getKey(),
                            primaryFailure.getMessage());
                    return result;
                } catch (LodeException replicaFailure) {
                    primaryFailure.addSuppressed(replicaFailure);
                }
            }
            throw primaryFailure;
        }
    }

    @Override
    public boolean contains(ObjectId id) {
        return read(s -> s.contains(id));
    }

    @Override
    public OptionalLong size(ObjectId id) {
        return read(s -> s.size(id));
    }

    /** The primary's: garbage collection deletes from the primary, and replicas follow it. */
    @Override
    public Optional<java.time.Instant> lastModified(ObjectId id) {
        return primary.lastModified(id);
    }

    @Override
    public Optional<MediaType> mediaType(ObjectId id) {
        return read(s -> s.mediaType(id));
    }

    @Override
    public SeekableByteChannel open(ObjectId id) {
        return read(s -> s.open(id));
    }

    @Override
    public InputStream openRange(ObjectId id, ByteRange range) {
        return read(s -> s.openRange(id, range));
    }

    @Override
    public byte[] readAllBytes(ObjectId id) {
        return read(s -> s.readAllBytes(id));
    }

    @Override
    public void verify(ObjectId id) {
        primary.verify(id);
    }

    @Override
    public void forEach(Consumer<ObjectId> action) {
        primary.forEach(action);
    }

    @Override
    public StoreStats stats() {
        return primary.stats();
    }

    // ---------------------------------------------------------------- the worker

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (running) {
            List<ReplicationTask> tasks;
            try {
                tasks = queue.claim(Instant.now(), BATCH);
            } catch (LodeException e) {
                log.warn("replication queue unreadable, retrying: {}", e.getMessage());
                tasks = List.of();
            }
            for (ReplicationTask task : tasks) {
                if (!running) {
                    return;
                }
                copy(task);
            }
            if (tasks.size() < BATCH) {
                lock.lock();
                try {
                    if (running) {
                        wake.await(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void copy(ReplicationTask task) {
        ObjectId id = task.object();
        TypedObjectStore replica = replicas.get(task.replica());
        try {
            if (replica == null) {
                throw new IllegalStateException("no replica named '" + task.replica() + "' is configured");
            }
            if (!replica.contains(id)) {
                long size = primary.size(id).orElseThrow(() -> new ObjectNotFoundException(id));
                MediaType type = primary.mediaType(id).orElse(MediaType.OCTET_STREAM);
                try (InputStream in = primary.openRange(id, ByteRange.whole(size))) {
                    replica.putVerified(in, id, PutOptions.of(type));
                }
            }
            queue.complete(task);
        } catch (Exception e) {
            Duration wait = backoff.delayBefore(Math.min(task.attempts() + 1, 30));
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            log.info(
                    "replicating {} to {} failed (attempt {}), next try in {} ms: {}",
                    id,
                    task.replica(),
                    task.attempts() + 1,
                    wait.toMillis(),
                    why);
            try {
                queue.retryLater(task, Instant.now().plus(wait), why);
            } catch (LodeException qe) {
                log.warn("cannot reschedule replication of {}: {}", id, qe.getMessage());
            }
        }
    }

    @Override
    public void close() {
        Thread w;
        lock.lock();
        try {
            running = false;
            wake.signalAll();
            w = worker;
        } finally {
            lock.unlock();
        }
        if (w != null) {
            try {
                w.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        queue.close();
    }

    /**
     * The primary's presigned URL (a client reading it does not fall back to a replica).
     *
     * @throws UnsupportedOperationException when the primary has no URLs of its own
     */
    @Override
    public java.net.URI presignGet(ObjectId id, Duration ttl) {
        return direct().presignGet(id, ttl);
    }

    /** The primary's key of {@code id}; every replica uses the same key. */
    @Override
    public String keyOf(ObjectId id) {
        return direct().keyOf(id);
    }

    private DirectUrls direct() {
        if (primary instanceof DirectUrls d) {
            return d;
        }
        throw new UnsupportedOperationException("primary store " + primary + " has no URLs of its own");
    }

    @Override
    public String toString() {
        return "ReplicatedObjectStore[" + primary + " -> " + replicas.keySet() + "]";
    }

    /** Configures a {@link ReplicatedObjectStore}. */
    public static final class Builder {
        private final TypedObjectStore primary;
        private final Map<String, TypedObjectStore> replicas = new LinkedHashMap<>();
        private ReplicationQueue queue;
        private RetryPolicy backoff = new RetryPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), Duration.ofMinutes(5));
        private Duration pollInterval = Duration.ofSeconds(1);
        private boolean start = true;

        private Builder(TypedObjectStore primary) {
            this.primary = Objects.requireNonNull(primary, "primary");
        }

        /** Adds a replica under a stable name (the queue refers to replicas by name). */
        public Builder replica(String name, TypedObjectStore replica) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("replica name must not be blank");
            }
            if (replicas.putIfAbsent(name, Objects.requireNonNull(replica, "replica")) != null) {
                throw new IllegalArgumentException("replica '" + name + "' given twice");
            }
            return this;
        }

        /** The durable queue (required). */
        public Builder queue(ReplicationQueue queue) {
            this.queue = Objects.requireNonNull(queue, "queue");
            return this;
        }

        /** Backoff between attempts of one copy (attempts are unlimited); default 1 s doubling to 5 min. */
        public Builder backoff(Duration base, Duration max) {
            this.backoff = new RetryPolicy(Integer.MAX_VALUE, base, max);
            return this;
        }

        /** How often the worker looks for due tasks when idle; default 1 s. */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, got " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /** Whether {@link #build()} starts the worker; default true. */
        public Builder startReplication(boolean start) {
            this.start = start;
            return this;
        }

        public ReplicatedObjectStore build() {
            if (queue == null) {
                throw new IllegalStateException("a replicated store needs a replication queue");
            }
            if (replicas.isEmpty()) {
                throw new IllegalStateException("a replicated store needs at least one replica");
            }
            return new ReplicatedObjectStore(this);
        }
    }
}
