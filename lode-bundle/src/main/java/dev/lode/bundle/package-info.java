/**
 * Plugin bundles (seed 000, AT-1 and AT-6): a plugin folder packed into a reproducible zstd zip
 * {@code assets.<sha256>.zip}, its JSON {@link dev.lode.bundle.BundleManifest} and an optional
 * RSA or Ed25519 signature, plus the checks a receiver runs.
 *
 * <ul>
 *   <li>{@link dev.lode.bundle.PluginPacker}: pack a folder (parallel, streaming, atomic).
 *   <li>{@link dev.lode.bundle.BundleVerifier}: check a packed folder against its manifest.
 *   <li>{@link dev.lode.bundle.SafeUnzipper}: extract an untrusted zip atomically, refusing
 *       anything unsafe.
 *   <li>{@link dev.lode.bundle.Signatures}: PEM keys, signing and verification as OpenSSL does.
 * </ul>
 *
 * <p>The zip writer and reader are package-private. Formats: {@code docs/bundle-format.md}.
 */
package dev.lode.bundle;
