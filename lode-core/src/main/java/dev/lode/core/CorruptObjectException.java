package dev.lode.core;

/** Bytes whose SHA-256 is not the id they were stored or announced under. */
public final class CorruptObjectException extends LodeException {
    private final ObjectId expected;
    private final ObjectId actual;

    public CorruptObjectException(String what, ObjectId expected, ObjectId actual) {
        super(what + ": content hash mismatch, expected " + expected + " but got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public ObjectId expected() {
        return expected;
    }

    public ObjectId actual() {
        return actual;
    }
}
