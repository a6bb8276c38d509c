package dev.lode.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tree of files: path → object, size, media type, chunk map and metadata. Plugin bundles, game
 * builds, commits and tenants' runs are all manifests. A manifest is itself stored as an object
 * (its canonical JSON, see {@link ManifestCodec}), so it can be signed, cached and diffed by id.
 *
 * <p>Entries are kept sorted by path and paths are unique, so the same tree always gives the
 * same bytes and the same id.
 */
public final class Manifest {
    private final List<ManifestEntry> entries;
    private final Map<String, String> meta;
    private volatile Map<String, ManifestEntry> byPath;

    private Manifest(List<ManifestEntry> sorted, Map<String, String> meta) {
        this.entries = Collections.unmodifiableList(sorted);
        this.meta = Collections.unmodifiableMap(new TreeMap<>(meta));
    }

    /** A manifest of {@code entries} (any order; duplicates are an error). */
    public static Manifest of(List<ManifestEntry> entries, Map<String, String> meta) {
        List<ManifestEntry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.path().compareTo(b.path()));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
                throw new IllegalArgumentException(
                        "duplicate path in manifest: " + sorted.get(i).path());
            }
        }
        return new Manifest(sorted, meta == null ? Map.of() : meta);
    }

    /** Entries sorted by path. */
    public List<ManifestEntry> entries() {
        return entries;
    }

    /** Manifest-level metadata (author, created, notes...). */
    public Map<String, String> meta() {
        return meta;
    }

    /** The entry at {@code path}. */
    public Optional<ManifestEntry> entry(String path) {
        Map<String, ManifestEntry> m = byPath;
        if (m == null) {
            m = new HashMap<>(entries.size() * 2);
            for (ManifestEntry e : entries) {
                m.put(e.path(), e);
            }
            byPath = m;
        }
        return Optional.ofNullable(m.get(path));
    }

    /** Sum of the entries' sizes. */
    public long totalSize() {
        long t = 0;
        for (ManifestEntry e : entries) {
            t += e.size();
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && m.entries.equals(entries) && m.meta.equals(meta);
    }

    @Override
    public int hashCode() {
        return entries.hashCode() * 31 + meta.hashCode();
    }

    @Override
    public String toString() {
        return "Manifest[" + entries.size() + " entries, " + totalSize() + " bytes]";
    }
}
