package dev.lode.stream;

/** What the streamer reports to its listener (never from inside its lock). */
public sealed interface StreamEvent {
    /** The entry at {@code path} became ready, {@code latencyNanos} after it was first queued. */
    record Loaded(String path, long latencyNanos) implements StreamEvent {}

    /** The entry failed; the requester gets a placeholder. */
    record LoadFailed(String path, AssetLoadException error) implements StreamEvent {}

    /**
     * {@code tier} could not hold level {@code wanted} of {@code path} even after evicting every
     * unreferenced entry, so level {@code used} (coarser) is streamed instead.
     */
    record LodDowngraded(String path, int wanted, int used, String tier) implements StreamEvent {}

    /** An unreferenced entry left {@code tier} to make room. */
    record Evicted(String path, String tier, long bytes) implements StreamEvent {}
}
