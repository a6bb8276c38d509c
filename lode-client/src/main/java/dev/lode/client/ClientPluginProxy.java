package dev.lode.client;

import java.nio.file.Path;

/**
 * The game's hook (seed 000, AT-4): called once a plugin's new assets are unpacked, with the
 * folder to reload scripts and assets from. Called on a download thread, never concurrently for
 * the same plugin.
 */
@FunctionalInterface
public interface ClientPluginProxy {
    void reloadScriptsFrom(long pluginId, Path path);
}
