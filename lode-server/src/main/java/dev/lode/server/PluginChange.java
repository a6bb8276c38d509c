package dev.lode.server;

import java.time.Instant;

/**
 * One change to the served plugins, numbered in order. The client issue's prefetch packet
 * ({@code AssetManifest {pluginId, url, sha256}}) is built from {@link Added} and {@link Updated}.
 */
public sealed interface PluginChange {
    /** Position in the change log, from 1. */
    long sequence();

    /** When the change was seen. */
    Instant at();

    /** The plugin concerned. */
    String pluginId();

    /** A plugin appeared (hot-load). */
    record Added(long sequence, Instant at, Plugin plugin) implements PluginChange {
        @Override
        public String pluginId() {
            return plugin.pluginId();
        }
    }

    /** A plugin's manifest or bundle changed (version bump or re-pack). */
    record Updated(long sequence, Instant at, Plugin previous, Plugin plugin) implements PluginChange {
        @Override
        public String pluginId() {
            return plugin.pluginId();
        }
    }

    /** A plugin is no longer served. */
    record Removed(long sequence, Instant at, Plugin previous) implements PluginChange {
        @Override
        public String pluginId() {
            return previous.pluginId();
        }
    }
}
