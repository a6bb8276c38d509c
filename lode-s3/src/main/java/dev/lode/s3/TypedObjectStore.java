package dev.lode.s3;

import dev.lode.core.MediaType;
import dev.lode.core.ObjectId;
import dev.lode.core.ObjectStore;
import dev.lode.core.StoredObject;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An {@link ObjectStore} that keeps each object's media type with its bytes, so that whoever
 * serves the object straight from the store (S3, a CDN in front of it) sends the right {@code
 * Content-Type}.
 *
 * <p>Objects are content-addressed, so the type is the one given by the put that created the
 * object; a later put of the same bytes with another type stores nothing and keeps the first type.
 */
public interface TypedObjectStore extends ObjectStore {
    /** Stores everything {@code in} yields (does not close it) with the given options. */
    StoredObject put(InputStream in, PutOptions options);

    /** Stores a file's content with the given options. */
    StoredObject putFile(Path file, PutOptions options);

    /** Stores {@code in} only if its content hashes to {@code expected}; otherwise stores nothing. */
    StoredObject putVerified(InputStream in, ObjectId expected, PutOptions options);

    /** The media type stored with {@code id}, if the store holds it. */
    Optional<MediaType> mediaType(ObjectId id);

    @Override
    default StoredObject put(InputStream in) {
        return put(in, PutOptions.DEFAULT);
    }

    /** Stores a file's content, typed by its file name's extension. */
    @Override
    default StoredObject putFile(Path file) {
        return putFile(file, PutOptions.forPath(file.getFileName().toString()));
    }

    @Override
    default StoredObject putBytes(byte[] bytes) {
        return put(new java.io.ByteArrayInputStream(bytes), PutOptions.DEFAULT);
    }

    @Override
    default StoredObject putVerified(InputStream in, ObjectId expected) {
        return putVerified(in, expected, PutOptions.DEFAULT);
    }
}
