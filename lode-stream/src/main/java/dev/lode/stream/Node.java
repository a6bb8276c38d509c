package dev.lode.stream;

import java.util.ArrayList;
import java.util.List;

/** The streamer's record of one catalog entry. Guarded by the streamer's lock. */
final class Node {
    enum Status {
        IDLE,
        QUEUED,
        READING,
        DECODING,
        WAITING_DEPS,
        READY,
        FAILED
    }

    /** One load in flight; {@code cancelled} is read at every stage boundary. */
    static final class Job {
        final Node node;
        final long reserved;
        final Tier<Node> tier;
        volatile boolean cancelled;

        Job(Node node, long reserved, Tier<Node> tier) {
            this.node = node;
            this.reserved = reserved;
            this.tier = tier;
        }
    }

    final CatalogEntry entry;
    final AssetLoader<?> loader;
    final boolean gpuHome;
    Status status = Status.IDLE;
    List<Node> deps;
    AssetLoadException failure;
    Object value;
    Tier.Slot<Node> cpuSlot;
    Tier.Slot<Node> gpuSlot;
    GpuBackend.GpuResource gpu;
    int pins;
    boolean demanded;
    double priority;
    long queuedAt = -1;
    long seq;
    Job job;
    final List<Tracked> owners = new ArrayList<>(1);

    Node(CatalogEntry entry, AssetLoader<?> loader, boolean gpuHome) {
        this.entry = entry;
        this.loader = loader;
        this.gpuHome = gpuHome;
    }

    String path() {
        return entry.path();
    }

    /** Bytes expected in the home tier. */
    long estimate() {
        return entry.memorySize();
    }

    Tier.Slot<Node> homeSlot() {
        return gpuHome ? gpuSlot : cpuSlot;
    }

    @Override
    public String toString() {
        return entry.path();
    }
}
