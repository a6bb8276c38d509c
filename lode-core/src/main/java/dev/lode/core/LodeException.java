package dev.lode.core;

/** The base of lode's unchecked exceptions; each subtype names the object, path or id concerned. */
public class LodeException extends RuntimeException {
    public LodeException(String message) {
        super(message);
    }

    public LodeException(String message, Throwable cause) {
        super(message, cause);
    }
}
