package dev.lode.stream;

/**
 * Decodes an asset's decompressed bytes into the object the engine uses. Chosen per media type
 * (see {@link Streamer.Builder#loader}); runs on the worker pool, so it must be thread-safe.
 *
 * @param <T> the decoded type
 */
public interface AssetLoader<T> {
    /** Decodes {@code data}; throws an unchecked exception (e.g. FormatException) on bad input. */
    T load(CatalogEntry entry, byte[] data);

    /** Bytes {@code value} occupies in memory, for the tier budgets. */
    long footprint(T value);

    /** What to hand out when the asset is missing or failed; {@code entry} is null for unknown paths. */
    T placeholder(CatalogEntry entry);

    /** Whether decoded values are uploaded to the GPU tier (textures, meshes). */
    default boolean gpuResident() {
        return false;
    }
}
