package dev.lode.core;

import java.util.Optional;

/**
 * The outcome of putting bytes into a store.
 *
 * @param id the object's id
 * @param size its size in bytes
 * @param chunkMapId the id of its chunk map object, or {@code null} when the object is a single
 *     chunk (the map would only repeat the object's own id and size)
 * @param chunkMap its chunk map
 * @param created false when the store already held the object and kept no second copy
 */
public record StoredObject(ObjectId id, long size, ObjectId chunkMapId, ChunkMap chunkMap, boolean created) {
    /** The chunk map's id, if the object has more than one chunk. */
    public Optional<ObjectId> chunkMapRef() {
        return Optional.ofNullable(chunkMapId);
    }
}
