package dev.lode.catalog;

import dev.lode.core.ObjectId;

/**
 * A precomputed compressed form of an object.
 *
 * @param source the object it encodes
 * @param encoding the {@code Content-Encoding} token ({@code gzip}, {@code br})
 * @param encodedId the object holding the compressed bytes
 * @param size compressed size
 */
public record EncodedVariant(ObjectId source, String encoding, ObjectId encodedId, long size) {}
