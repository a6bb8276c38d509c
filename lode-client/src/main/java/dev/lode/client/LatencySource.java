package dev.lode.client;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Where ping samples come from: the game's realtime channel (ENet or similar) implements this, or
 * the client uses {@link UdpChannel}, which measures its own ping.
 */
public interface LatencySource {
    /** Starts delivering round-trip samples to {@code samples}. */
    void start(Consumer<Duration> samples);
}
