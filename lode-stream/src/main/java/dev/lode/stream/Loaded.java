package dev.lode.stream;

/**
 * What an {@link AssetHandle}'s future delivers: the decoded value at some LOD level, or the
 * loader's placeholder with the error when the asset (or one of its dependencies) failed.
 *
 * @param path the requested asset
 * @param level LOD level delivered (0 = coarsest; 0 for assets without variants; -1 for a
 *     placeholder)
 * @param value the decoded value or the placeholder; may be null for a GPU-only asset whose CPU
 *     copy was not kept
 * @param error why a placeholder was delivered, or null
 */
public record Loaded(String path, int level, Object value, AssetLoadException error) {
    /** Whether this is a placeholder standing in for a failed or missing asset. */
    public boolean placeholder() {
        return error != null;
    }
}
