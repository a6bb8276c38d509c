package dev.lode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeIngesterTest {
    @TempDir
    Path dir;

    private Path tree() throws Exception {
        Path t = dir.resolve("tree");
        Random rnd = new Random(1);
        for (int i = 0; i < 30; i++) {
            Path f = t.resolve("d" + (i % 4)).resolve("f" + i + (i % 2 == 0 ? ".png" : ".json"));
            Files.createDirectories(f.getParent());
            byte[] b = new byte[rnd.nextInt(i == 7 ? 900_000 : 5000)];
            rnd.nextBytes(b);
            Files.write(f, b);
        }
        Files.write(t.resolve("same-a.txt"), "dup".getBytes());
        Files.write(t.resolve("same-b.txt"), "dup".getBytes());
        return t;
    }

    @Test
    void ingestStoresEveryFileAndAManifestOfTheTree() throws Exception {
        Path t = tree();
        LocalObjectStore store = LocalObjectStore.open(dir.resolve("store"));
        TreeIngester.Result r = TreeIngester.builder(store).build().ingest(t);
        assertThat(r.files()).isEqualTo(32);
        assertThat(r.newObjects()).isEqualTo(31); // two files share content
        Manifest m = ManifestCodec.decode(store.readAllBytes(r.manifestId()));
        assertThat(m).isEqualTo(r.manifest());
        assertThat(m.entries()).hasSize(32);
        for (ManifestEntry e : m.entries()) {
            Path f = t.resolve(e.path());
            assertThat(e.size()).isEqualTo(Files.size(f));
            assertThat(e.sha256()).isEqualTo(Sha256.ofFile(f));
            assertThat(store.contains(e.sha256())).isTrue();
            assertThat(e.mediaType()).isEqualTo(MediaTypes.forPath(e.path()).mime());
        }
        ManifestEntry big = m.entry("d3/f7.json").orElseThrow();
        assertThat(big.chunkMap()).isNotNull();
        assertThat(ChunkMap.decode(store.readAllBytes(big.chunkMap())).size()).isEqualTo(big.size());
    }

    @Test
    void manifestIdIsTheSameWhateverTheParallelism() throws Exception {
        Path t = tree();
        ObjectId one = TreeIngester.builder(LocalObjectStore.open(dir.resolve("s1")))
                .parallelism(1)
                .build()
                .ingest(t)
                .manifestId();
        ObjectId many = TreeIngester.builder(LocalObjectStore.open(dir.resolve("s2")))
                .parallelism(8)
                .build()
                .ingest(t)
                .manifestId();
        assertThat(many).isEqualTo(one);
    }

    @Test
    void symlinksAreSkippedNotFollowed() throws Exception {
        Path t = tree();
        Files.createSymbolicLink(t.resolve("link-out"), Path.of("/etc"));
        TreeIngester.Result r = TreeIngester.builder(LocalObjectStore.open(dir.resolve("s")))
                .build()
                .ingest(t);
        assertThat(r.skipped()).isEqualTo(1);
        assertThat(r.manifest().entry("link-out")).isEmpty();
    }

    @Test
    void aFileThatCannotBeReadFailsTheIngestAndStoresNoManifest() throws Exception {
        Path t = tree();
        Path fifoLike = t.resolve("d0/unreadable.bin");
        Files.writeString(fifoLike, "x");
        LocalObjectStore store = LocalObjectStore.open(dir.resolve("s"));
        // Replace the file by a dangling path between listing and reading: the store reports it by name.
        TreeIngester ingester = TreeIngester.builder(store)
                .listener(new TreeIngester.Listener() {
                    @Override
                    public void started(long files, long bytes) {
                        try {
                            Files.delete(fifoLike);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                })
                .build();
        long before = store.stats().objects();
        assertThatThrownBy(() -> ingester.ingest(t)).hasMessageContaining("unreadable.bin");
        // No manifest object was written: every stored object is one of the tree's files.
        store.forEach(id -> assertThat(id).isNotNull());
        assertThat(store.stats().objects()).isLessThanOrEqualTo(before + 31);
    }

    @Test
    void aMissingFolderIsAClearError() {
        Path missing = dir.resolve("nope");
        LocalObjectStore store = LocalObjectStore.open(dir.resolve("s"));
        assertThatThrownBy(() -> TreeIngester.builder(store).build().ingest(missing))
                .hasMessageContaining("not a folder");
    }

    @Test
    void anEmptyFolderGivesAnEmptyManifest() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        TreeIngester.Result r = TreeIngester.builder(LocalObjectStore.open(dir.resolve("s")))
                .build()
                .ingest(empty);
        assertThat(r.manifest().entries()).isEmpty();
    }
}
