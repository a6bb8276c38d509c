package dev.lode.server;

/** Told of every {@link PluginChange}, on the registry's scanning thread, in sequence order. */
@FunctionalInterface
public interface PluginListener {
    void onChange(PluginChange change);
}
