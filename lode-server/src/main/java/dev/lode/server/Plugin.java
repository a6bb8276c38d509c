package dev.lode.server;

import java.nio.file.Path;

/**
 * A plugin being served from the plugins folder ({@code PLUGINS/<folder>/manifest} and its bundle
 * {@code PLUGINS/<folder>/assets.<sha256>.zip}).
 *
 * @param pluginId the id clients ask for, from the manifest ({@code pluginId})
 * @param version the manifest's {@code version}
 * @param minVersion the manifest's {@code minVersion}, or null
 * @param folder the plugin's folder
 * @param manifestSha256 SHA-256 of the manifest file's bytes (its ETag)
 * @param manifestBytes the manifest file's bytes, served as read when scanned
 * @param bundleName the bundle's file name, e.g. {@code assets.<sha256>.zip}
 * @param bundleSha256 the bundle's SHA-256 (verified against the file)
 * @param bundleSize the bundle's size
 */
public record Plugin(
        String pluginId,
        String version,
        String minVersion,
        Path folder,
        String manifestSha256,
        byte[] manifestBytes,
        String bundleName,
        String bundleSha256,
        long bundleSize) {
    /** The bundle file. */
    public Path bundlePath() {
        return folder.resolve(bundleName);
    }

    /** The URL path of the bundle: {@code /plugins/<id>/<bundleName>}. */
    public String bundleUrlPath() {
        return "/plugins/" + pluginId + "/" + bundleName;
    }

    /** Same plugin, same bytes (the manifest and bundle hashes agree). */
    boolean sameContent(Plugin other) {
        return manifestSha256.equals(other.manifestSha256) && bundleSha256.equals(other.bundleSha256);
    }
}
