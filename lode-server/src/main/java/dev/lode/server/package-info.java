/**
 * The lode asset server. {@link dev.lode.server.LodeServer} serves logical assets
 * ({@code /assets/{id}}, with ETag/304, ranges and auto-staging), immutable objects
 * ({@code /objects/{sha256}}), plugin bundles ({@code /plugins/{id}/...}, hot-loaded from a watched
 * folder, with a change-event API in {@link dev.lode.server.PluginRegistry}) and tenant uploads
 * ({@code /t/{tenant}/...}, with presigned URLs from {@link dev.lode.server.Presigner}). Built on Netty
 * with the native epoll transport and zero-copy {@code sendfile}.
 */
package dev.lode.server;
