package dev.lode.core;

/** Input that does not follow one of lode's formats (chunk map, manifest, packet, ...). */
public final class FormatException extends LodeException {
    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
