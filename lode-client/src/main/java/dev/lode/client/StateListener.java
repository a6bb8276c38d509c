package dev.lode.client;

/** Receives every state change of every plugin, e.g. to drive an overlay. Must be thread-safe. */
@FunctionalInterface
public interface StateListener {
    void onState(long pluginId, PluginState state);
}
