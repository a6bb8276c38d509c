package dev.lode.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses short durations as people write them: {@code 90}, {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}. */
public final class Durations {
    private static final Pattern P = Pattern.compile("(\\d{1,9})([smhd]?)");

    private Durations() {}

    /** Parses {@code text}; a bare number is seconds. */
    public static Duration parse(String text) {
        Matcher m = P.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "': use e.g. 90, 90s, 15m, 1h, 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "", "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("bad duration unit in '" + text + "'");
        };
    }
}
