package dev.lode.core;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The name of an immutable object: the SHA-256 of its bytes, written as 64 lowercase hex digits.
 *
 * <p>Two objects with the same id have the same bytes, so an id can be cached, compared and
 * shared forever. Parse untrusted text with {@link #parse(String)}, which rejects anything that is
 * not exactly 64 lowercase hex digits.
 */
public record ObjectId(String hex) implements Comparable<ObjectId> {
    private static final HexFormat HEX = HexFormat.of();

    /** Length of an id in hex digits. */
    public static final int HEX_LENGTH = 64;

    /** Length of an id in bytes. */
    public static final int BYTE_LENGTH = 32;

    public ObjectId {
        if (!isValid(hex)) {
            throw new IllegalArgumentException(
                    "not a SHA-256 object id (64 lowercase hex digits): '" + abbreviate(hex) + "'");
        }
    }

    /** Parses an id, rejecting upper case, wrong length and non-hex characters. */
    public static ObjectId parse(String hex) {
        return new ObjectId(hex);
    }

    /** Makes an id from a 32-byte digest. */
    public static ObjectId ofDigest(byte[] digest) {
        if (digest.length != BYTE_LENGTH) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, got " + digest.length);
        }
        return new ObjectId(HEX.formatHex(digest));
    }

    /** Whether {@code text} is a well-formed id. */
    public static boolean isValid(String text) {
        if (text == null || text.length() != HEX_LENGTH) {
            return false;
        }
        for (int i = 0; i < HEX_LENGTH; i++) {
            char c = text.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** The 32 raw bytes of the digest. */
    public byte[] toBytes() {
        return HEX.parseHex(hex);
    }

    /** Whether this id names the digest {@code digest}. */
    public boolean matches(byte[] digest) {
        return Arrays.equals(toBytes(), digest);
    }

    /** The first {@code n} hex digits, for logs and short listings. */
    public String shortHex(int n) {
        return hex.substring(0, Math.min(n, HEX_LENGTH));
    }

    @Override
    public int compareTo(ObjectId other) {
        return hex.compareTo(other.hex);
    }

    @Override
    public String toString() {
        return hex;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
