package dev.lode.catalog;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The kinds of artifact a tenant uploads; the URL segment is {@link #token()}. */
public enum ArtifactType {
    IMAGE,
    VIDEO,
    AUDIO,
    BUNDLE,
    MODEL_3D,
    TEXTURE,
    ENVIRONMENT_MAP,
    SHADER;

    /** The lowercase URL token, e.g. {@code model_3d}. */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a URL token (exact lowercase match). */
    public static Optional<ArtifactType> ofToken(String token) {
        return Arrays.stream(values()).filter(t -> t.token().equals(token)).findFirst();
    }
}
