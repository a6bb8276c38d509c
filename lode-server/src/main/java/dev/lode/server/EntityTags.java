package dev.lode.server;

import java.util.ArrayList;
import java.util.List;

/**
 * Entity-tag matching for {@code If-None-Match}, {@code If-Match} and {@code If-Range}
 * (RFC 9110 §8.8.3, §13.1). lode's tags are strong, quoted SHA-256 hex. For compatibility with
 * simple clients that send the bare checksum (as in seed 004's client pattern), an unquoted token
 * is read as that tag.
 */
final class EntityTags {
    private EntityTags() {}

    /** A parsed tag: its opaque value and whether it was weak ({@code W/"..."}). */
    record Tag(String opaque, boolean weak) {}

    /** The quoted strong form of {@code value}, as sent in {@code ETag}. */
    static String strong(String value) {
        return "\"" + value + "\"";
    }

    /** Whether {@code header} (a list or {@code *}) matches {@code etag} by weak comparison. */
    static boolean noneMatchHits(String header, String etag) {
        if (header == null) {
            return false;
        }
        if (header.strip().equals("*")) {
            return true;
        }
        String mine = opaque(etag);
        for (Tag t : parseList(header)) {
            if (t.opaque().equals(mine)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code header} of {@code If-Match} is satisfied (strong comparison). */
    static boolean matchHits(String header, String etag) {
        if (header.strip().equals("*")) {
            return true;
        }
        String mine = opaque(etag);
        for (Tag t : parseList(header)) {
            if (!t.weak() && t.opaque().equals(mine)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an {@code If-Range} value still selects the current representation (strong tag only). */
    static boolean ifRangeHolds(String header, String etag) {
        String h = header.strip();
        if (!h.startsWith("\"")) {
            return false; // a date or a weak tag: we have no Last-Modified, so the range is dropped
        }
        List<Tag> tags = parseList(h);
        return tags.size() == 1 && !tags.get(0).weak() && tags.get(0).opaque().equals(opaque(etag));
    }

    static String opaque(String etag) {
        String e = etag.startsWith("W/") ? etag.substring(2) : etag;
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            return e.substring(1, e.length() - 1);
        }
        return e;
    }

    /** Parses a comma-separated list of entity tags, skipping malformed members. */
    static List<Tag> parseList(String header) {
        List<Tag> out = new ArrayList<>();
        int i = 0;
        int n = header.length();
        while (i < n) {
            char c = header.charAt(i);
            if (c == ' ' || c == '\t' || c == ',') {
                i++;
                continue;
            }
            boolean weak = false;
            if ((c == 'W' || c == 'w') && i + 1 < n && header.charAt(i + 1) == '/') {
                weak = true;
                i += 2;
            }
            if (i < n && header.charAt(i) == '"') {
                int close = header.indexOf('"', i + 1);
                if (close < 0) {
                    break; // unterminated: ignore the rest
                }
                out.add(new Tag(header.substring(i + 1, close), weak));
                i = close + 1;
            } else {
                int comma = header.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                String token = header.substring(i, end).strip();
                if (!token.isEmpty()) {
                    out.add(new Tag(token, weak));
                }
                i = end;
            }
        }
        return out;
    }
}
