package dev.lode.server;

import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import java.nio.file.Path;

/**
 * One selected representation of a resource: where its bytes are and the headers that describe
 * it. A gzip variant of an asset is a different representation (own bytes, size and ETag).
 *
 * @param source where the bytes are
 * @param size bytes
 * @param mediaType {@code Content-Type}
 * @param etag quoted strong ETag
 * @param contentEncoding {@code Content-Encoding} or null for identity
 * @param cacheControl {@code Cache-Control}
 * @param varyEncoding whether to send {@code Vary: Accept-Encoding}
 */
record Representation(
        Source source,
        long size,
        String mediaType,
        String etag,
        String contentEncoding,
        String cacheControl,
        boolean varyEncoding) {
    /** Where the bytes of a representation are. */
    sealed interface Source {
        /** An object of one of the server's stores. */
        record StoreObject(ObjectStore store, ObjectId id) implements Source {}

        /** A file outside the store (plugin bundles). */
        record File(Path path) implements Source {}

        /** Bytes in memory (plugin manifests). */
        record Bytes(byte[] bytes) implements Source {}
    }
}
