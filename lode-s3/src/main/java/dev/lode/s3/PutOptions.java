package dev.lode.s3;

import dev.lode.core.MediaType;
import dev.lode.core.MediaTypes;
import java.util.Objects;

/**
 * How a put stores its object.
 *
 * @param mediaType the {@code Content-Type} stored with the object
 */
public record PutOptions(MediaType mediaType) {
    /** Untyped bytes: {@code application/octet-stream}. */
    public static final PutOptions DEFAULT = new PutOptions(MediaType.OCTET_STREAM);

    public PutOptions {
        Objects.requireNonNull(mediaType, "mediaType");
    }

    /** Options with the given media type. */
    public static PutOptions of(MediaType mediaType) {
        return new PutOptions(mediaType);
    }

    /** Options typed by a file name's extension (see {@link MediaTypes#forPath(String)}). */
    public static PutOptions forPath(String fileName) {
        return new PutOptions(MediaTypes.forPath(fileName));
    }
}
