package dev.lode.stream;

import dev.lode.core.ObjectId;
import java.util.List;

/**
 * One asset of an {@link AssetCatalog}.
 *
 * @param ordinal position in the catalog (path order), stable for one catalog file
 * @param id the object holding the stored (possibly compressed) bytes
 * @param path the asset's path
 * @param type media type, e.g. {@code image/png}
 * @param size stored bytes
 * @param rawSize bytes after decompression
 * @param compression how the stored bytes are compressed
 * @param version free-form version label, empty when none
 * @param tags labels for search
 * @param dependencies paths this asset needs before it can be used
 * @param variants LOD variant paths, coarse to fine; empty when the asset has no variants
 * @param bounds world-space bounds, or {@code null} when the asset has none (always wanted)
 * @param memorySize bytes the decoded asset is expected to occupy in memory (meta {@code memSize},
 *     default {@code rawSize}); what a load reserves in its tier before it starts
 */
public record CatalogEntry(
        int ordinal,
        ObjectId id,
        String path,
        String type,
        long size,
        long rawSize,
        Compression compression,
        String version,
        List<String> tags,
        List<String> dependencies,
        List<String> variants,
        Bounds bounds,
        long memorySize) {
    public CatalogEntry {
        tags = List.copyOf(tags);
        dependencies = List.copyOf(dependencies);
        variants = List.copyOf(variants);
    }
}
