package dev.lode.stream;

/** Where one catalog entry is in the pipeline. */
public sealed interface AssetState {
    /** Not loaded, not wanted (never requested, cancelled or evicted). */
    record Idle() implements AssetState {}

    /** Waiting in the priority queue. */
    record Queued(double priority) implements AssetState {}

    /** In flight: {@code stage} is {@code read}, {@code decode} or {@code dependencies}. */
    record Loading(String stage) implements AssetState {}

    /** Resident: in the CPU tier, the GPU tier or both. */
    record Ready(boolean cpu, boolean gpu) implements AssetState {}

    /** Failed; not retried. */
    record Failed(AssetLoadException error) implements AssetState {}
}
