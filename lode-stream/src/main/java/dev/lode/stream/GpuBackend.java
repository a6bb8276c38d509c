package dev.lode.stream;

/**
 * The GPU memory tier, implemented by the renderer: upload a decoded asset, free it, and say how
 * many bytes it may hold. The streamer never uploads past {@link #budgetBytes()}: it evicts
 * unreferenced uploads first and falls back to coarser LOD variants when everything is referenced.
 *
 * <p>Calls come from the streamer's pipeline threads, one at a time (the streamer serialises
 * them); a renderer that must upload on its render thread queues the work and returns at once.
 */
public interface GpuBackend {
    /** Bytes of GPU memory the streamer may use. */
    long budgetBytes();

    /** Uploads {@code value} (decoded by the entry's loader), which occupies {@code bytes}. */
    GpuResource upload(CatalogEntry entry, Object value, long bytes);

    /** Frees an upload. */
    void free(GpuResource resource);

    /** One upload: a renderer-chosen handle and its size. */
    record GpuResource(long handle, long bytes, String path) {}
}
