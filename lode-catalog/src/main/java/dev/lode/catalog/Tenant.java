package dev.lode.catalog;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * A tenant: an account whose uploads are private to it.
 *
 * @param name lowercase letters, digits, {@code -} and {@code _}, 1 to 64 characters
 * @param createdAt when it was created
 */
public record Tenant(String name, Instant createdAt) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    public Tenant {
        checkName(name);
    }

    /** Returns {@code name} if it is a valid tenant name, else throws {@link IllegalArgumentException}. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad tenant name '" + name
                    + "': use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit");
        }
        return name;
    }
}
