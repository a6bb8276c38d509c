package dev.lode.stream;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A counted reference to one asset, held by an owner (a tag naming who holds it, for leak
 * reports). While any handle is held the asset's current LOD level and its dependencies are never
 * evicted; {@link #release()} drops the reference, and releasing the last one makes the asset and
 * the dependencies nobody else holds evictable.
 *
 * <p>The streamer picks the level: it delivers the coarsest variant first and refines as the
 * observer comes closer, so {@link #level()} and {@link #value()} change over time.
 */
public final class AssetHandle implements AutoCloseable {
    private final Streamer streamer;
    final Tracked tracked;
    private final String owner;
    private final long acquiredAtNanos;
    private final long serial;
    boolean released;

    AssetHandle(Streamer streamer, Tracked tracked, String owner, long acquiredAtNanos, long serial) {
        this.streamer = streamer;
        this.tracked = tracked;
        this.owner = owner;
        this.acquiredAtNanos = acquiredAtNanos;
        this.serial = serial;
    }

    /** The requested path. */
    public String path() {
        return tracked.path;
    }

    /** Who holds this handle. */
    public String owner() {
        return owner;
    }

    /** When it was acquired, on the streamer's ticker. */
    public long acquiredAtNanos() {
        return acquiredAtNanos;
    }

    /**
     * Completes once the asset is usable at some level (dependencies included), or with a
     * placeholder when it fails; cancelled if every handle is released first.
     */
    public CompletableFuture<Loaded> ready() {
        return tracked.first.copy();
    }

    /** The LOD level in use now, or -1 while nothing is usable. */
    public int level() {
        return streamer.levelOf(this);
    }

    /** The level the observer wants now (capped when the budget forced a coarser one). */
    public int wantedLevel() {
        return streamer.wantedOf(this);
    }

    /** The decoded value at {@link #level()}, if its CPU copy is held. */
    public Optional<Object> value() {
        return streamer.valueOf(this);
    }

    /** The pipeline state of the level being used or loaded. */
    public AssetState state() {
        return streamer.stateOf(this);
    }

    /** Drops this reference. Releasing twice is an error. */
    public void release() {
        streamer.release(this);
    }

    /** Releases the handle unless it was already released. */
    @Override
    public void close() {
        streamer.releaseQuietly(this);
    }

    @Override
    public String toString() {
        return "AssetHandle[" + tracked.path + " by " + owner + " #" + serial + (released ? ", released" : "") + "]";
    }

    /** One live handle, for leak reports. */
    public record Info(String path, String owner, long acquiredAtNanos) {}
}
