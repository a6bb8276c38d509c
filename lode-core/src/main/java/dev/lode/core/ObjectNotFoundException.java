package dev.lode.core;

/** An object id that the store does not hold. */
public final class ObjectNotFoundException extends LodeException {
    private final ObjectId id;

    public ObjectNotFoundException(ObjectId id) {
        super("object " + id + " not found");
        this.id = id;
    }

    public ObjectId id() {
        return id;
    }
}
