package dev.lode.server;

import dev.lode.core.ByteRange;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed {@code Range} header against a representation of known size (RFC 9110 §14). Pure code,
 * no I/O, so every case is testable without a server.
 */
sealed interface RangeRequest {
    /** Most ranges accepted in one request; more is treated as no range (a full 200), as RFC 9110 allows. */
    int MAX_RANGES = 64;

    /** No usable Range header: send the whole representation. */
    record Whole() implements RangeRequest {}

    /** One or more satisfiable ranges, in request order, clipped to the size. */
    record Parts(List<ByteRange> ranges) implements RangeRequest {}

    /** Every range lies beyond the end: {@code 416} with {@code Content-Range: bytes *}{@code /size}. */
    record Unsatisfiable() implements RangeRequest {}

    /** Parses {@code header} (may be null) for a representation of {@code size} bytes. */
    static RangeRequest parse(String header, long size) {
        if (header == null) {
            return new Whole();
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole(); // unknown range unit: ignore
        }
        String[] specs = h.substring(6).split(",", -1);
        if (specs.length > MAX_RANGES) {
            return new Whole();
        }
        List<ByteRange> out = new ArrayList<>();
        for (String raw : specs) {
            String s = raw.strip();
            int dash = s.indexOf('-');
            if (dash < 0) {
                return new Whole(); // syntax error: ignore the header
            }
            String first = s.substring(0, dash).strip();
            String last = s.substring(dash + 1).strip();
            if (first.isEmpty()) {
                long suffix = digits(last);
                if (suffix < 0) {
                    return new Whole();
                }
                if (suffix == 0 || size == 0) {
                    continue; // unsatisfiable part
                }
                long len = Math.min(suffix, size);
                out.add(new ByteRange(size - len, len));
            } else {
                long from = digits(first);
                long to = last.isEmpty() ? Long.MAX_VALUE : digits(last);
                if (from < 0 || to < 0 || to < from) {
                    return new Whole();
                }
                if (from >= size) {
                    continue;
                }
                long end = Math.min(to, size - 1);
                out.add(new ByteRange(from, end - from + 1));
            }
        }
        return out.isEmpty() ? new Unsatisfiable() : new Parts(List.copyOf(out));
    }

    /** A non-negative decimal number, or -1 if {@code s} is not one (or overflows). */
    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
