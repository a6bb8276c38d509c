/**
 * lode-stream: the runtime streaming library a game engine links in.
 *
 * <p>{@link dev.lode.stream.AssetCatalog} is a memory-mapped index built from a manifest. {@link
 * dev.lode.stream.Streamer} loads catalog entries asynchronously (read → verify → decompress →
 * decode) in the order an {@link dev.lode.stream.Observer} makes most urgent, keeps them in memory
 * tiers with byte budgets, and hands them out through reference-counted {@link
 * dev.lode.stream.AssetHandle}s. Everything else in this package is package-private.
 */
package dev.lode.stream;
