package dev.lode.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lode.core.ChunkerConfig;
import dev.lode.core.ObjectDigester;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import dev.lode.core.StoreException;
import dev.lode.core.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** {@code putFile}: hash first, dedup by HEAD, parts straight from the file, the file hash cache. */
class PutFileTest {
    static final long MIB = 1024 * 1024;

    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static RequestLog log = new RequestLog();
    static final AtomicReference<Runnable> onPart2 = new AtomicReference<>();
    static S3Stores stores;

    @BeforeAll
    static void start() {
        server = S3ProxyServer.start(tmp.resolve("s3"));
        ExecutionInterceptor hook = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                Runnable r = onPart2.get();
                if (r != null
                        && context.request() instanceof UploadPartRequest up
                        && up.partNumber() == 2
                        && onPart2.compareAndSet(r, null)) {
                    r.run();
                }
            }
        };
        stores = S3Stores.open(server.settings("files")
                .partSize(5 * MIB)
                .uploadConcurrency(2)
                .retry(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20)))
                .spoolDir(tmp.resolve("spool"))
                .interceptor(log)
                .interceptor(hook)
                .build());
        stores.createBucketIfMissing();
    }

    @AfterAll
    static void stop() {
        stores.close();
        server.close();
    }

    @BeforeEach
    void clear() {
        log.clear();
        onPart2.set(null);
    }

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A file old enough for the hash cache (written more than its racy margin ago). */
    static Path oldFile(String name, byte[] data) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, data);
        Thread.sleep(FileHashCache.RACY_MARGIN_MILLIS + 200);
        return f;
    }

    @Test
    void aLargeFileIsStoredWithTheSameIdAndChunkMapAsAStreamedPut() throws IOException {
        byte[] data = random(1, (int) (17 * MIB + 321));
        Path f = tmp.resolve("video.mp4");
        Files.write(f, data);
        S3ObjectStore store = stores.forTenant("same");

        StoredObject put = store.putFile(f);

        ObjectDigester digester = new ObjectDigester(ChunkerConfig.DEFAULT);
        digester.update(data, 0, data.length);
        ObjectDigester.Result expected = digester.finish();
        assertThat(put.id()).isEqualTo(expected.id());
        assertThat(put.chunkMap()).isEqualTo(expected.chunkMap());
        assertThat(put.created()).isTrue();
        assertThat(log.count("UploadPart")).isEqualTo(4);
        assertThat(store.readAllBytes(put.id())).isEqualTo(data);
        assertThat(store.mediaType(put.id())).map(m -> m.mime()).contains("video/mp4");
        assertThat(tmp.resolve("spool")).doesNotExist(); // nothing spooled
        // the chunk map went up too, and a later put of the same bytes from a stream finds it
        StoredObject again = store.putBytes(data);
        assertThat(again.created()).isFalse();
        assertThat(again.chunkMap()).isEqualTo(expected.chunkMap());
    }

    @Test
    void anUnchangedFileIsNotReadAgainAndAChangedOneIs() throws Exception {
        byte[] data = random(2, (int) (6 * MIB));
        Path f = oldFile("tex.ktx2", data);
        S3ObjectStore store = stores.forTenant("cache");
        StoredObject first = store.putFile(f);
        assertThat(first.created()).isTrue();
        assertThat(stores.fileHashes().size()).isGreaterThanOrEqualTo(1);

        log.clear();
        StoredObject second = store.putFile(f);
        assertThat(second.created()).isFalse();
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.chunkMap()).isEqualTo(first.chunkMap());
        assertThat(log.operations()).doesNotContain("PutObject", "UploadPart", "CreateMultipartUpload");

        // same size, new bytes: the stamp differs, the file is hashed and uploaded again
        byte[] changed = data.clone();
        changed[12345] ^= 1;
        Files.write(f, changed);
        StoredObject third = store.putFile(f);
        assertThat(third.id()).isEqualTo(Sha256.of(changed)).isNotEqualTo(first.id());
        assertThat(third.created()).isTrue();
        assertThat(store.readAllBytes(third.id())).isEqualTo(changed);
    }

    @Test
    void aHashRememberedForAnObjectSinceDeletedUploadsAgain() throws Exception {
        byte[] data = random(3, (int) (7 * MIB));
        Path f = oldFile("model.glb", data);
        S3ObjectStore store = stores.forTenant("gone");
        ObjectId id = store.putFile(f).id();
        assertThat(store.delete(id)).isTrue();

        StoredObject again = store.putFile(f);

        assertThat(again.created()).isTrue();
        assertThat(store.readAllBytes(id)).isEqualTo(data);
    }

    @Test
    void aFileChangedDuringItsUploadIsAbortedAndLeavesNothing() throws IOException {
        byte[] data = random(4, (int) (16 * MIB));
        Path f = tmp.resolve("growing.bin");
        Files.write(f, data);
        S3ObjectStore store = stores.forTenant("changing");
        onPart2.set(() -> {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {42, 42, 42}), 12 * MIB);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        assertThatThrownBy(() -> store.putFile(f)).isInstanceOf(StoreException.class);

        assertThat(store.contains(Sha256.of(data))).isFalse();
        assertThat(stores.client().listMultipartUploads(b -> b.bucket("files")).uploads())
                .isEmpty();
    }

    @Test
    void aMissingFileFailsWithItsPath() {
        Path missing = tmp.resolve("nope.bin");
        assertThatThrownBy(() -> stores.forTenant("x").putFile(missing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void theCacheForgetsRacyFilesAndChangedStamps() {
        FileHashCache cache = new FileHashCache(2);
        ObjectId id = Sha256.of(new byte[] {1});
        Path p = tmp.resolve("a");
        long now = System.currentTimeMillis();
        FileStamp old = new FileStamp("inode-1", 10, 1_000_000L, 1_000_000L);
        FileStamp fresh = new FileStamp("inode-1", 10, (now - 100) * 1_000_000L, (now - 100) * 1_000_000L);
        FileStamp noCtime = new FileStamp("inode-1", 10, 1_000_000L, -1);

        cache.remember(p, fresh, id, now);
        cache.remember(p, noCtime, id, now);
        assertThat(cache.size()).isZero();

        cache.remember(p, old, id, now);
        assertThat(cache.lookup(p, old)).contains(id);
        assertThat(cache.lookup(p, new FileStamp("inode-2", 10, 1_000_000L, 1_000_000L)))
                .isEmpty();
        assertThat(cache.lookup(p, old)).isEmpty(); // a mismatch drops the entry

        cache.remember(tmp.resolve("x"), old, id, now);
        cache.remember(tmp.resolve("y"), old, id, now);
        cache.remember(tmp.resolve("z"), old, id, now);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(new FileHashCache(0).lookup(p, old)).isEmpty();
    }
}
