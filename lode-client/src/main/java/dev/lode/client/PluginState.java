package dev.lode.client;

import java.nio.file.Path;
import java.util.Locale;

/** Where one plugin's assets are, for the game's "Downloading plugin assets…" overlay. */
public sealed interface PluginState {
    /** A line for an overlay. */
    String describe();

    /** Nothing known or installed yet. */
    record Absent() implements PluginState {
        @Override
        public String describe() {
            return "Waiting for plugin assets";
        }
    }

    /** Fetching or revalidating the manifest. */
    record Checking(String url) implements PluginState {
        @Override
        public String describe() {
            return "Checking plugin assets…";
        }
    }

    /** Bytes are arriving. */
    record Downloading(String version, long done, long total, double bytesPerSecond) implements PluginState {
        /** Completed fraction, 0..1. */
        public double fraction() {
            return total <= 0 ? 0 : Math.min(1.0, (double) done / total);
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "Downloading plugin assets… %.0f%%", fraction() * 100);
        }
    }

    /** A download is paused by the lag gate. */
    record Paused(String version, long done, long total, String reason) implements PluginState {
        @Override
        public String describe() {
            return "Plugin asset download paused (" + reason + ")";
        }
    }

    /** Verified; unpacking into the runtime cache. */
    record Installing(String version) implements PluginState {
        @Override
        public String describe() {
            return "Installing plugin assets…";
        }
    }

    /** Installed and current. */
    record Ready(String version, Path path) implements PluginState {
        @Override
        public String describe() {
            return "Plugin assets ready (" + version + ")";
        }
    }

    /** The last attempt failed; {@code message} names what and why. */
    record Failed(String message) implements PluginState {
        @Override
        public String describe() {
            return "Plugin assets failed: " + message;
        }
    }
}
