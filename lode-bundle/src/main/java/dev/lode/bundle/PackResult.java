package dev.lode.bundle;

import java.nio.file.Path;

/**
 * What {@link PluginPacker#pack} wrote.
 *
 * @param directory {@code PLUGINS_DIR/<name>}
 * @param manifestFile {@code <directory>/manifest}
 * @param bundleFile {@code <directory>/assets.<sha256>.zip}
 * @param signatureFile {@code <directory>/manifest.sig}, or null when not signed
 * @param manifest the manifest written
 */
public record PackResult(
        Path directory, Path manifestFile, Path bundleFile, Path signatureFile, BundleManifest manifest) {}
