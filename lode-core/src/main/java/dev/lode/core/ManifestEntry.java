package dev.lode.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One file of a {@link Manifest}.
 *
 * @param path relative, {@code /}-separated, checked by {@link SafePaths#checkRelative}
 * @param size bytes
 * @param sha256 the object holding the bytes
 * @param mediaType e.g. {@code image/ktx2}
 * @param chunkMap the object holding the file's chunk map, or {@code null} for a single-chunk file
 * @param tags free-form labels, e.g. {@code level1}, {@code ui}
 * @param dependencies paths of entries this one needs (a model's textures and materials)
 * @param variants paths of LOD variants of this asset, from coarse to fine
 * @param meta further string attributes (author, notes, compression, version...)
 */
public record ManifestEntry(
        String path,
        long size,
        ObjectId sha256,
        String mediaType,
        ObjectId chunkMap,
        List<String> tags,
        List<String> dependencies,
        List<String> variants,
        Map<String, String> meta) {

    public ManifestEntry {
        SafePaths.checkRelative(path);
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(mediaType, "mediaType");
        if (size < 0) {
            throw new IllegalArgumentException("negative size for " + path);
        }
        tags = List.copyOf(tags == null ? List.of() : tags);
        dependencies = List.copyOf(dependencies == null ? List.of() : dependencies);
        variants = List.copyOf(variants == null ? List.of() : variants);
        meta = meta == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(meta));
    }

    /** An entry with no tags, dependencies, variants or metadata. */
    public static ManifestEntry of(String path, long size, ObjectId sha256, String mediaType, ObjectId chunkMap) {
        return new ManifestEntry(path, size, sha256, mediaType, chunkMap, List.of(), List.of(), List.of(), Map.of());
    }
}
