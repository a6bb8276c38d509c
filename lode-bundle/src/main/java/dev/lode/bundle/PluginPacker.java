package dev.lode.bundle;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.lode.core.ObjectId;
import dev.lode.core.SafePaths;
import dev.lode.core.Sha256;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * Packs a plugin folder into {@code PLUGINS_DIR/<name>/}: a reproducible zstd zip
 * {@code assets.<sha256>.zip}, its {@code manifest}, and {@code manifest.sig} when a key is given.
 *
 * <pre>{@code
 * PackResult r = PluginPacker.builder().level(6).signWith(key).build().pack(pluginDir, pluginsDir);
 * }</pre>
 *
 * <p><b>Reproducible.</b> Entries are sorted by the UTF-8 bytes of their paths and written by
 * {@link ZipWriter} with fixed timestamps and modes; the same folder, level and id give the same
 * bytes. Files under {@link #BIG_FILE} are compressed single-threaded, larger ones with zstd's
 * worker threads: the choice depends only on the file's size.
 *
 * <p><b>Fast.</b> Small files are read, hashed (SHA-256 and CRC-32) and compressed in parallel on
 * a pool of {@code parallelism} threads, up to {@link #WINDOW_BYTES} ahead of the writer, which
 * appends them to the zip in order; a big file is streamed by the writer itself through a
 * multi-threaded zstd stream while the pool keeps compressing the small files after it.
 * Memory stays bounded: no big file is ever held whole.
 *
 * <p><b>Atomic.</b> Everything is built in a hidden temporary folder inside {@code PLUGINS_DIR}
 * and renamed to {@code PLUGINS_DIR/<name>} at the end; a previous {@code <name>} folder (which
 * must hold only earlier pack output) is replaced as a whole, so older {@code assets.*.zip} files
 * are deleted once the new one is in place. On any failure the temporary folder is deleted and
 * the previous output is untouched.
 *
 * <p><b>Input.</b> Every regular file under the plugin folder is packed except the root
 * {@code plugin.json} (its metadata goes into the manifest instead). Symbolic links and special
 * files are refused; empty folders are not recorded.
 */
public final class PluginPacker {
    /** Files at least this large are compressed by zstd's own worker threads. */
    public static final long BIG_FILE = 8L << 20;

    /** How many bytes of small files may be compressed ahead of the writer. */
    static final long WINDOW_BYTES = 64L << 20;

    static final int WINDOW_FILES = 4096;

    /** Bytes per sample of the incompressibility probe. */
    static final int PROBE_BYTES = 64 * 1024;

    /** Small files are probed from this size on, with a sample of {@link #SMALL_PROBE_BYTES}. */
    static final int SMALL_PROBE_MIN = 32 * 1024;

    static final int SMALL_PROBE_BYTES = 16 * 1024;

    /** A sample that level 1 cannot shrink below this fraction counts as incompressible. */
    static final double INCOMPRESSIBLE_RATIO = 0.97;

    /** Level used for incompressible files (see {@link Builder#adaptive(boolean)}). */
    static final int INCOMPRESSIBLE_LEVEL = 1;

    private final int level;
    private final int parallelism;
    private final boolean adaptive;
    private final PluginInfo overrides;
    private final PrivateKey signingKey;
    private final Listener listener;
    private final boolean sync;

    private PluginPacker(Builder b) {
        this.level = b.level;
        this.parallelism = b.parallelism;
        this.adaptive = b.adaptive;
        this.overrides = new PluginInfo(b.pluginId, b.version, b.minVersion);
        this.signingKey = b.signingKey;
        this.listener = b.listener;
        this.sync = b.sync;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Progress callbacks, called from the packing thread. */
    public interface Listener {
        /** The folder was listed: this many files and bytes will be packed. */
        default void started(int files, long bytes) {}

        /** One file was appended to the zip. */
        default void fileDone(String path, long size) {}
    }

    /** Configures a {@link PluginPacker}; each setter checks its value. */
    public static final class Builder {
        private int level = 6;
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private boolean adaptive = true;
        private boolean sync;
        private Long pluginId;
        private String version;
        private String minVersion;
        private PrivateKey signingKey;
        private Listener listener = new Listener() {};

        private Builder() {}

        /** zstd level, 1..22 (default 6). */
        public Builder level(int level) {
            if (level < 1 || level > 22) {
                throw new IllegalArgumentException("zstd level must be 1..22, got " + level);
            }
            this.level = level;
            return this;
        }

        /** Threads used for compression (default: the number of cores). */
        public Builder parallelism(int threads) {
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("parallelism must be 1..1024, got " + threads);
            }
            this.parallelism = threads;
            return this;
        }

        /**
         * Whether incompressible files are compressed at level 1 instead of the configured level
         * (default true). A file is incompressible when zstd level 1 cannot shrink a sample by 3%
         * (files under 8 MiB: their first 16 KiB, if they have 32 KiB or more; big files: 64 KiB
         * at start, middle and end). Higher
         * levels gain nothing on such data (media already compressed: ogg, png, ktx2, ...) but
         * cost up to ten times the CPU. The choice depends only on the bytes, so output stays
         * reproducible; entries are zstd (method 93) either way.
         */
        public Builder adaptive(boolean adaptive) {
            this.adaptive = adaptive;
            return this;
        }

        /** The plugin id, taking precedence over {@code plugin.json}. */
        public Builder pluginId(long id) {
            BundleManifest.checkPluginId(id);
            this.pluginId = id;
            return this;
        }

        /** The plugin version, taking precedence over {@code plugin.json}. */
        public Builder version(String version) {
            BundleManifest.checkVersion("version", version);
            this.version = version;
            return this;
        }

        /** The minimum version, taking precedence over {@code plugin.json}. */
        public Builder minVersion(String minVersion) {
            BundleManifest.checkVersion("minVersion", minVersion);
            this.minVersion = minVersion;
            return this;
        }

        /** Signs the manifest with this RSA or Ed25519 key ({@link Signatures}). */
        public Builder signWith(PrivateKey key) {
            Signatures.keyType(Objects.requireNonNull(key, "key"));
            this.signingKey = key;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Whether the output is forced to disk before it is renamed into place (default false).
         * Pack output is reproducible from its sources and every reader (verify, the server, the
         * client) checks it against the manifest's hashes, so a file damaged by a power loss is
         * refused, never used; forcing 700 MB to disk costs about a second.
         */
        public Builder sync(boolean sync) {
            this.sync = sync;
            return this;
        }

        public PluginPacker build() {
            return new PluginPacker(this);
        }
    }

    /** A file to pack: its zip path, where it is, and its size when listed. */
    private record Source(String path, byte[] utf8, Path file, long size) {}

    /** A small file read, hashed and compressed by the pool. */
    private record Packed(int crc, byte[] sha, byte[] data) {}

    /**
     * Packs {@code pluginDir} into {@code pluginsDir/<name>} where {@code <name>} is the plugin
     * folder's name. Throws {@link BundleException} for bad input, leaving nothing behind.
     */
    public PackResult pack(Path pluginDir, Path pluginsDir) {
        Path src = pluginDir.toAbsolutePath().normalize();
        if (!Files.exists(src)) {
            throw new BundleException("plugin folder not found: " + pluginDir);
        }
        if (!Files.isDirectory(src)) {
            throw new BundleException("plugin folder is not a folder: " + pluginDir);
        }
        if (src.getFileName() == null) {
            throw new BundleException("cannot pack the file system root");
        }
        String name = src.getFileName().toString();
        if (name.startsWith(".")) {
            throw new BundleException("plugin folder name must not start with '.': " + name);
        }
        Path out = pluginsDir.toAbsolutePath().normalize();
        if (out.startsWith(src)) {
            throw new BundleException("output folder " + pluginsDir + " is inside the plugin folder " + pluginDir);
        }
        PluginInfo info = PluginInfo.read(src).overriddenBy(overrides);
        if (info.pluginId() == null) {
            throw new BundleException("no plugin id for " + pluginDir + ": pass --plugin-id or set \"pluginId\" in "
                    + src.resolve(PluginInfo.FILE_NAME));
        }
        if (info.version() == null) {
            throw new BundleException("no version for " + pluginDir + ": pass --version or set \"version\" in "
                    + src.resolve(PluginInfo.FILE_NAME));
        }
        try {
            BundleManifest.checkPluginId(info.pluginId());
            BundleManifest.checkVersion("version", info.version());
            if (info.minVersion() != null) {
                BundleManifest.checkVersion("minVersion", info.minVersion());
            }
        } catch (IllegalArgumentException e) {
            throw new BundleException(pluginDir + ": " + e.getMessage());
        }
        List<Source> files = list(src);
        if (files.isEmpty()) {
            throw new BundleException("no files to pack in " + pluginDir);
        }
        Path target = out.resolve(name);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            checkReplaceable(target);
        }

        Path tmp = null;
        try {
            tmp = FileTrees.createSibling(target, "pack");
            PackResult built = build(info, files, tmp);
            FileTrees.swapInto(tmp, target);
            tmp = null;
            return new PackResult(
                    target,
                    target.resolve(built.manifestFile().getFileName()),
                    target.resolve(built.bundleFile().getFileName()),
                    built.signatureFile() == null
                            ? null
                            : target.resolve(built.signatureFile().getFileName()),
                    built.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write bundle for " + pluginDir + " into " + pluginsDir + ": " + e, e);
        } finally {
            if (tmp != null) {
                FileTrees.deleteQuietly(tmp);
            }
        }
    }

    private PackResult build(PluginInfo info, List<Source> files, Path dir) throws IOException {
        listener.started(files.size(), files.stream().mapToLong(Source::size).sum());
        Path zipTmp = dir.resolve("assets.zip.tmp");
        Written written = writeZip(files, zipTmp);
        List<BundleFile> entries = written.files();
        BundleRef ref = BundleRef.of(ObjectId.ofDigest(written.sha256()), Files.size(zipTmp));
        Path zip = dir.resolve(ref.name());
        Files.move(zipTmp, zip);
        BundleManifest manifest = new BundleManifest(info.pluginId(), info.version(), info.minVersion(), ref, entries);
        byte[] json = manifest.toJson();
        Path manifestFile = dir.resolve(BundleVerifier.MANIFEST);
        writeSynced(manifestFile, json);
        Path sig = null;
        if (signingKey != null) {
            sig = dir.resolve(BundleVerifier.SIGNATURE);
            writeSynced(sig, Signatures.sign(signingKey, json));
        }
        FileTrees.fsyncDir(dir);
        return new PackResult(dir, manifestFile, zip, sig, manifest);
    }

    /** The zip's entries and its SHA-256, computed while it was written. */
    private record Written(List<BundleFile> files, byte[] sha256) {}

    private Written writeZip(List<Source> files, Path zipFile) throws IOException {
        AtomicInteger threadNo = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "lode-pack-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        BlockingQueue<Worker> workers = new ArrayBlockingQueue<>(parallelism);
        for (int i = 0; i < parallelism; i++) {
            workers.add(new Worker());
        }
        Deque<Future<Packed>> pending = new ArrayDeque<>();
        List<BundleFile> result = new ArrayList<>(files.size());
        byte[] sha256;
        try (FileChannel ch = FileChannel.open(zipFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ZipWriter zip = new ZipWriter(ch);
            int submitted = 0;
            long ahead = 0;
            for (int i = 0; i < files.size(); i++) {
                // Keep the pool busy with the small files that follow, within the window.
                while (submitted < files.size()
                        && (submitted <= i || (ahead < WINDOW_BYTES && pending.size() < WINDOW_FILES))) {
                    Source s = files.get(submitted++);
                    if (s.size() < BIG_FILE) {
                        pending.addLast(pool.submit(() -> packSmall(s, workers)));
                        ahead += s.size();
                    }
                }
                Source s = files.get(i);
                if (s.size() < BIG_FILE) {
                    Packed p = await(pending.removeFirst());
                    ahead -= s.size();
                    zip.writeEntry(s.path(), ZipFormat.METHOD_ZSTD, s.size(), p.crc(), p.data(), 0, p.data().length);
                    result.add(new BundleFile(s.path(), s.size(), ObjectId.ofDigest(p.sha())));
                } else {
                    result.add(packBig(s, zip));
                }
                listener.fileDone(s.path(), s.size());
            }
            zip.finish();
            if (sync) {
                ch.force(true);
            }
            sha256 = zip.sha256();
        } finally {
            for (Future<Packed> f : pending) {
                f.cancel(true);
            }
            pool.shutdownNow();
            // A running task may still take a worker: free them only once every task is done.
            try {
                if (!pool.awaitTermination(5, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("compression threads did not stop");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BundleException("packing interrupted", e);
            }
            for (Worker w : workers) {
                w.ctx.close();
            }
        }
        return new Written(result, sha256);
    }

    private Packed packSmall(Source s, BlockingQueue<Worker> workers) throws InterruptedException {
        Worker w = workers.take();
        try {
            int size = (int) s.size();
            byte[] data = w.input(size);
            try (FileChannel fc = FileChannel.open(s.file(), StandardOpenOption.READ)) {
                // one byte more than expected, to notice a file that grew since it was listed
                ByteBuffer b = ByteBuffer.wrap(data, 0, size + 1);
                while (b.position() < size) {
                    if (fc.read(b) < 0) {
                        throw changed(s, b.position());
                    }
                }
                if (b.position() > size || fc.read(b) > 0) {
                    throw changed(s, fc.size());
                }
            } catch (IOException e) {
                throw unreadable(s, e);
            }
            CRC32 crc = new CRC32();
            crc.update(data, 0, size);
            MessageDigest sha = Sha256.newDigest();
            sha.update(data, 0, size);
            byte[] out = w.output((int) Zstd.compressBound(size));
            int lvl = level;
            if (adaptive && level > INCOMPRESSIBLE_LEVEL && size >= SMALL_PROBE_MIN) {
                lvl = incompressible(w.ctx, data, SMALL_PROBE_BYTES, out) ? INCOMPRESSIBLE_LEVEL : level;
            }
            w.ctx.setLevel(lvl);
            int n = w.ctx.compressByteArray(out, 0, out.length, data, 0, size);
            return new Packed((int) crc.getValue(), sha.digest(), Arrays.copyOf(out, n));
        } finally {
            workers.add(w);
        }
    }

    /**
     * A compression thread's zstd context and buffers, reused from file to file so that packing
     * allocates little more than the compressed bytes it hands to the writer.
     */
    private static final class Worker {
        final ZstdCompressCtx ctx = new ZstdCompressCtx();
        private byte[] in = new byte[0];
        private byte[] out = new byte[0];

        Worker() {
            ctx.setContentSize(true);
            ctx.setChecksum(false);
        }

        /** A buffer of at least {@code size + 1} bytes. */
        byte[] input(int size) {
            if (in.length < size + 1) {
                in = new byte[Math.max(size + 1, Math.min(2 * in.length, (int) BIG_FILE + 1))];
            }
            return in;
        }

        byte[] output(int size) {
            if (out.length < size) {
                out = new byte[Math.max(size, Math.min(2 * out.length, (int) Zstd.compressBound(BIG_FILE)))];
            }
            return out;
        }
    }

    private BundleFile packBig(Source s, ZipWriter zip) throws IOException {
        CRC32 crc = new CRC32();
        MessageDigest sha = Sha256.newDigest();
        OutputStream entry = zip.beginEntry(s.path(), ZipFormat.METHOD_ZSTD, s.size());
        long total = 0;
        FileChannel fc;
        try {
            fc = FileChannel.open(s.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw unreadable(s, e);
        }
        int lvl = level;
        if (adaptive && level > INCOMPRESSIBLE_LEVEL) {
            try {
                lvl = incompressible(fc, s.size()) ? INCOMPRESSIBLE_LEVEL : level;
            } catch (IOException e) {
                fc.close();
                throw unreadable(s, e);
            }
        }
        try (fc;
                ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(new KeepOpen(entry), lvl)) {
            z.setWorkers(parallelism);
            byte[] buf = new byte[1 << 20];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            while (true) {
                bb.clear();
                int n;
                try {
                    n = fc.read(bb);
                } catch (IOException e) {
                    throw unreadable(s, e);
                }
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > s.size()) {
                    throw changed(s, total);
                }
                crc.update(buf, 0, n);
                sha.update(buf, 0, n);
                z.write(buf, 0, n);
            }
        }
        if (total != s.size()) {
            throw changed(s, total);
        }
        zip.endEntry((int) crc.getValue(), total);
        return new BundleFile(s.path(), s.size(), ObjectId.ofDigest(sha.digest()));
    }

    /** Whether zstd level 1 cannot shrink {@code data[0, len)} below {@link #INCOMPRESSIBLE_RATIO}. */
    private static boolean incompressible(ZstdCompressCtx ctx, byte[] data, int len, byte[] scratch) {
        ctx.setLevel(INCOMPRESSIBLE_LEVEL);
        int n = ctx.compressByteArray(scratch, 0, scratch.length, data, 0, len);
        return n >= len * INCOMPRESSIBLE_RATIO;
    }

    /** Probes a big file at its start, middle and end; incompressible only if all three are. */
    private static boolean incompressible(FileChannel fc, long size) throws IOException {
        byte[] sample = new byte[PROBE_BYTES];
        byte[] scratch = new byte[(int) Zstd.compressBound(PROBE_BYTES)];
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            for (long at : new long[] {0, size / 2 - PROBE_BYTES / 2, size - PROBE_BYTES}) {
                ByteBuffer b = ByteBuffer.wrap(sample);
                long pos = Math.max(0, at);
                while (b.hasRemaining()) {
                    int n = fc.read(b, pos + b.position());
                    if (n < 0) {
                        break;
                    }
                }
                if (!incompressible(ctx, sample, b.position(), scratch)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static BundleException changed(Source s, long now) {
        return new BundleException(
                "file changed while packing: " + s.file() + " (was " + s.size() + " bytes, now " + now + ")");
    }

    private static BundleException unreadable(Source s, IOException e) {
        String why = e instanceof AccessDeniedException
                ? "permission denied"
                : e instanceof NoSuchFileException ? "it disappeared" : e.toString();
        return new BundleException("cannot read " + s.file() + ": " + why, e);
    }

    private static Packed await(Future<Packed> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BundleException("packing interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            if (c instanceof IOException io) {
                throw io;
            }
            throw new BundleException("packing failed: " + c, c);
        }
    }

    /** Lists the regular files to pack, sorted by the UTF-8 bytes of their zip paths. */
    private static List<Source> list(Path root) {
        List<Source> out = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String rel = relative(root, file);
                    if (attrs.isSymbolicLink()) {
                        throw new BundleException("symbolic links cannot be packed: " + file);
                    }
                    if (!attrs.isRegularFile()) {
                        throw new BundleException("not a regular file (FIFO, socket or device): " + file);
                    }
                    if (rel.equals(PluginInfo.FILE_NAME)) {
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        SafePaths.checkRelative(rel);
                    } catch (SafePaths.UnsafePathException e) {
                        throw new BundleException("file name cannot go into a bundle: " + e.getMessage());
                    }
                    if (!Files.isReadable(file)) {
                        throw new BundleException("cannot read " + file + ": permission denied");
                    }
                    out.add(new Source(rel, rel.getBytes(StandardCharsets.UTF_8), file, attrs.size()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    String why = e instanceof AccessDeniedException ? "permission denied" : e.toString();
                    throw new BundleException("cannot read " + file + ": " + why, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> Arrays.compareUnsigned(a.utf8(), b.utf8()));
        return out;
    }

    private static String relative(Path root, Path file) {
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(file)) {
            if (!sb.isEmpty()) {
                sb.append('/');
            }
            sb.append(part);
        }
        return sb.toString();
    }

    /** An existing output folder is replaced only if it holds nothing but earlier pack output. */
    private static void checkReplaceable(Path target) {
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BundleException("output " + target + " exists and is not a folder");
        }
        try (var stream = Files.list(target)) {
            for (Path p : (Iterable<Path>) stream::iterator) {
                String n = p.getFileName().toString();
                boolean ours = n.equals(BundleVerifier.MANIFEST)
                        || n.equals(BundleVerifier.SIGNATURE)
                        || (n.startsWith("assets.") && n.endsWith(".zip"));
                if (!ours || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BundleException(
                            "output folder " + target + " holds " + n + ", which pack did not write; not replacing it");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + target + ": " + e.getMessage(), e);
        }
    }

    private void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (sync) {
                ch.force(true);
            }
        }
    }

    /** Lets zstd end its frame on close without closing the zip writer's entry stream. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
