package dev.lode.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lode.core.ObjectId;
import dev.lode.core.Sha256;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins served from a folder laid out as {@code PLUGINS/<name>/manifest} plus
 * {@code PLUGINS/<name>/assets.<sha256>.zip}, kept current without a restart.
 *
 * <p>A {@link WatchService} on the folder and each plugin folder triggers a rescan; a periodic rescan
 * backs it up (watch events can be lost or unsupported, e.g. on network file systems). A scan reads
 * each manifest tolerantly (only {@code pluginId}, {@code version}, {@code minVersion} and
 * {@code bundle {name, size, sha256}} matter; unknown fields are ignored), checks the bundle's size
 * and hashes it (once per size and modification time), and publishes the new set atomically. A
 * plugin whose bundle is missing or does not match its manifest (a packer still writing, say) is
 * left out until it is consistent. Every difference from the previous scan becomes a numbered
 * {@link PluginChange} in a bounded log and is passed to the {@link PluginListener}s.
 */
public final class PluginRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLUGIN_ID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern BUNDLE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}\\.zip");
    private static final int LOG_CAPACITY = 1024;

    private final Path root;
    private final Duration rescanInterval;
    private final ReentrantLock scanLock = new ReentrantLock();
    private final List<PluginListener> listeners = new CopyOnWriteArrayList<>();
    private final ArrayDeque<PluginChange> changeLog = new ArrayDeque<>();
    private final Map<Path, HashedFile> hashes = new HashMap<>();
    private volatile Map<String, Plugin> plugins = Map.of();
    private long sequence;
    private WatchService watcher;
    private Thread thread;
    private volatile boolean closed;

    private record HashedFile(long size, long mtime, String sha256) {}

    private PluginRegistry(Path root, Duration rescanInterval) {
        this.root = root.toAbsolutePath().normalize();
        this.rescanInterval = rescanInterval;
    }

    /** Scans {@code root} once and starts watching it (rescanning at least every {@code rescanInterval}). */
    public static PluginRegistry watch(Path root, Duration rescanInterval) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("plugins folder does not exist: " + root);
        }
        PluginRegistry r = new PluginRegistry(root, rescanInterval);
        r.rescan();
        r.startWatching();
        return r;
    }

    /** The plugins folder. */
    public Path root() {
        return root;
    }

    /** The plugin with this id. */
    public Optional<Plugin> find(String pluginId) {
        return Optional.ofNullable(plugins.get(pluginId));
    }

    /** Every plugin served, by id. */
    public Collection<Plugin> all() {
        return plugins.values();
    }

    /** Adds a listener; close the result to remove it. */
    public AutoCloseable addListener(PluginListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The changes numbered after {@code sequence}, oldest first (the log keeps the last 1024). */
    public List<PluginChange> changesSince(long sequence) {
        scanLock.lock();
        try {
            return changeLog.stream().filter(c -> c.sequence() > sequence).toList();
        } finally {
            scanLock.unlock();
        }
    }

    /** Rescans the folder now and publishes the differences. */
    public void rescan() {
        scanLock.lock();
        try {
            Map<String, Plugin> next = scan();
            Map<String, Plugin> prev = plugins;
            plugins = Map.copyOf(next);
            Instant now = Instant.now();
            List<PluginChange> changes = new ArrayList<>();
            for (Plugin p : next.values()) {
                Plugin old = prev.get(p.pluginId());
                if (old == null) {
                    changes.add(new PluginChange.Added(++sequence, now, p));
                } else if (!old.sameContent(p)) {
                    changes.add(new PluginChange.Updated(++sequence, now, old, p));
                }
            }
            for (Plugin old : prev.values()) {
                if (!next.containsKey(old.pluginId())) {
                    changes.add(new PluginChange.Removed(++sequence, now, old));
                }
            }
            for (PluginChange c : changes) {
                changeLog.addLast(c);
                if (changeLog.size() > LOG_CAPACITY) {
                    changeLog.removeFirst();
                }
                LOG.info("plugin change {}", c);
                for (PluginListener l : listeners) {
                    try {
                        l.onChange(c);
                    } catch (RuntimeException e) {
                        LOG.warn("plugin listener failed on {}: {}", c, e.toString());
                    }
                }
            }
            if (closed) {
                return;
            }
            registerSubfolders();
        } finally {
            scanLock.unlock();
        }
    }

    private Map<String, Plugin> scan() {
        Map<String, Plugin> out = new TreeMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path manifest = dir.resolve("manifest");
                if (!Files.isRegularFile(manifest)) {
                    continue;
                }
                try {
                    Plugin p = read(dir, manifest);
                    if (p != null) {
                        Plugin clash = out.putIfAbsent(p.pluginId(), p);
                        if (clash != null) {
                            LOG.warn(
                                    "plugin id {} in both {} and {}; serving {}",
                                    p.pluginId(),
                                    clash.folder(),
                                    dir,
                                    clash.folder());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("skipping plugin folder {}: {}", dir, e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list plugins folder {}: {}", root, e.toString());
            return new TreeMap<>(plugins); // keep serving what we had
        }
        return out;
    }

    private Plugin read(Path dir, Path manifestFile) throws IOException {
        byte[] bytes = Files.readAllBytes(manifestFile);
        JsonNode m = JSON.readTree(bytes);
        if (m == null || !m.isObject()) {
            throw new IOException("manifest " + manifestFile + " is not a JSON object");
        }
        String id = text(m, "pluginId");
        if (id == null) {
            id = dir.getFileName().toString();
        }
        if (!PLUGIN_ID.matcher(id).matches()) {
            throw new IOException("bad pluginId '" + id + "' in " + manifestFile);
        }
        String version = text(m, "version");
        if (version == null) {
            throw new IOException("manifest " + manifestFile + " has no version");
        }
        JsonNode bundle = m.path("bundle");
        String name = text(bundle, "name");
        String sha = text(bundle, "sha256");
        if (name == null || sha == null) {
            throw new IOException("manifest " + manifestFile + " has no bundle {name, sha256}");
        }
        sha = sha.toLowerCase(java.util.Locale.ROOT);
        if (!BUNDLE_NAME.matcher(name).matches() || !ObjectId.isValid(sha)) {
            throw new IOException("bad bundle name or sha256 in " + manifestFile);
        }
        Path zip = dir.resolve(name);
        if (!Files.isRegularFile(zip)) {
            LOG.debug("bundle {} of plugin {} not there yet", zip, id);
            return null;
        }
        long size = Files.size(zip);
        if (bundle.has("size") && bundle.get("size").asLong(-1) != size) {
            LOG.debug("bundle {} is {} bytes, manifest says {}; waiting", zip, size, bundle.get("size"));
            return null;
        }
        String actual = hashOf(zip, size);
        if (!actual.equals(sha)) {
            LOG.warn(
                    "bundle {} hashes to {}, manifest {} says {}; not serving plugin {}",
                    zip,
                    actual,
                    manifestFile,
                    sha,
                    id);
            return null;
        }
        return new Plugin(
                id, version, text(m, "minVersion"), dir, Sha256.of(bytes).hex(), bytes, name, sha, size);
    }

    private String hashOf(Path zip, long size) throws IOException {
        long mtime = Files.getLastModifiedTime(zip).toMillis();
        HashedFile h = hashes.get(zip);
        if (h != null && h.size() == size && h.mtime() == mtime) {
            return h.sha256();
        }
        String sha = Sha256.ofFile(zip).hex();
        hashes.put(zip, new HashedFile(size, mtime, sha));
        return sha;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        String s = v.asText();
        return s.isBlank() ? null : s;
    }

    private void startWatching() {
        try {
            watcher = FileSystems.getDefault().newWatchService();
            register(root);
            registerSubfolders();
        } catch (IOException e) {
            LOG.warn("cannot watch {} ({}); rescanning every {}", root, e.toString(), rescanInterval);
            watcher = null;
        }
        thread = Thread.ofPlatform().daemon().name("lode-plugin-watch").start(this::loop);
    }

    private void registerSubfolders() {
        if (watcher == null) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path d : dirs) {
                register(d);
            }
        } catch (IOException e) {
            LOG.debug("cannot list {} to watch: {}", root, e.toString());
        }
    }

    private void register(Path dir) {
        try {
            dir.register(
                    watcher,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | ClosedWatchServiceException e) {
            LOG.debug("cannot watch {}: {}", dir, e.toString());
        }
    }

    private void loop() {
        while (!closed) {
            try {
                if (watcher != null) {
                    WatchKey key = watcher.poll(rescanInterval.toMillis(), TimeUnit.MILLISECONDS);
                    if (key != null) {
                        // Let a burst of events (a packer writing zip then manifest) settle.
                        Thread.sleep(100);
                        drain(key);
                        WatchKey more;
                        while ((more = watcher.poll()) != null) {
                            drain(more);
                        }
                    }
                } else {
                    Thread.sleep(rescanInterval.toMillis());
                }
                if (!closed) {
                    rescan();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("plugin rescan failed: {}", e.toString());
            }
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() {
        closed = true;
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
