package dev.lode.client;

import dev.lode.bundle.SafeUnzipper;
import dev.lode.core.ObjectId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The unpacked plugins: {@code RUNTIME/plugins/<id>} is a symbolic link to
 * {@code RUNTIME/plugins/.versions/<id>-<sha256>/}, the unpacked bundle, with the plugin's version
 * in {@code .versions/<id>-<sha256>.version}. A new version is unpacked beside the old one and the
 * link is replaced with one {@code rename(2)}, so a game reading {@code plugins/<id>} sees the old
 * version or the new one, never a half-updated folder; files it still has open stay readable.
 */
final class RuntimeDir {
    record Installed(long pluginId, String version, ObjectId sha256) {}

    private final Path root;
    private final Path versions;
    private final Map<Long, Installed> installed = new ConcurrentHashMap<>();

    RuntimeDir(Path runtimeRoot, Path cacheRoot) {
        this.root = runtimeRoot.resolve("plugins");
        this.versions = root.resolve(".versions");
        try {
            Files.createDirectories(versions);
        } catch (IOException e) {
            throw new DownloadException("cannot create runtime folder " + versions + ": " + e.getMessage(), false, e);
        }
    }

    Path link(long pluginId) {
        return root.resolve(Long.toString(pluginId));
    }

    Installed installed(long pluginId) {
        return installed.get(pluginId);
    }

    Set<ObjectId> installedShas() {
        Set<ObjectId> s = ConcurrentHashMap.newKeySet();
        installed.values().forEach(i -> s.add(i.sha256()));
        return s;
    }

    /** Finds plugins installed by an earlier run (link, folder and version file all present). */
    List<Installed> scanInstalled() {
        List<Installed> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                if (!name.matches("[0-9]{1,16}") || !Files.isSymbolicLink(p)) {
                    continue;
                }
                long id = Long.parseLong(name);
                String target = Files.readSymbolicLink(p).getFileName().toString();
                String prefix = id + "-";
                if (!target.startsWith(prefix) || !ObjectId.isValid(target.substring(prefix.length()))) {
                    continue;
                }
                Path versionFile = versions.resolve(target + ".version");
                if (!Files.isDirectory(versions.resolve(target)) || !Files.isRegularFile(versionFile)) {
                    continue;
                }
                String version =
                        Files.readString(versionFile, StandardCharsets.UTF_8).trim();
                Installed i = new Installed(id, version, new ObjectId(target.substring(prefix.length())));
                installed.put(id, i);
                found.add(i);
            }
        } catch (IOException e) {
            throw new DownloadException("cannot read runtime folder " + root + ": " + e.getMessage(), false, e);
        }
        return found;
    }

    /** Unpacks {@code zip} as version {@code version} of the plugin and switches the link to it. */
    Path install(long pluginId, String version, ObjectId sha, Path zip) throws IOException {
        String dirName = pluginId + "-" + sha.hex();
        Path target = versions.resolve(dirName);
        if (!Files.isDirectory(target)) {
            SafeUnzipper.builder().build().extract(zip, target);
        }
        Path versionFile = versions.resolve(dirName + ".version");
        Path tmpVersion = versions.resolve("." + dirName + ".version-" + UUID.randomUUID());
        Files.writeString(tmpVersion, version + "\n", StandardCharsets.UTF_8);
        Files.move(tmpVersion, versionFile, StandardCopyOption.ATOMIC_MOVE);

        Path link = link(pluginId);
        Path tmpLink = root.resolve("." + pluginId + ".link-" + UUID.randomUUID());
        Files.createSymbolicLink(tmpLink, Path.of(".versions", dirName));
        try {
            if (Files.isDirectory(link, LinkOption.NOFOLLOW_LINKS)) {
                // A real folder (not ours): move it aside first; rename cannot replace a folder.
                Path aside = root.resolve("." + pluginId + ".old-" + UUID.randomUUID());
                Files.move(link, aside, StandardCopyOption.ATOMIC_MOVE);
                Files.move(tmpLink, link, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(aside);
            } else {
                Files.move(tmpLink, link, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            Files.deleteIfExists(tmpLink);
        }
        installed.put(pluginId, new Installed(pluginId, version, sha));
        removeOtherVersions(pluginId, dirName);
        return link;
    }

    private void removeOtherVersions(long pluginId, String keep) throws IOException {
        String prefix = pluginId + "-";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(versions)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && !n.equals(keep) && !n.equals(keep + ".version")) {
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
