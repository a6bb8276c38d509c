package dev.lode.core;

/**
 * FastCDC chunk-size limits. {@code avg} must be a power of two; {@code min < avg < max}.
 *
 * <p>Changing any of these changes every chunk boundary, so peers that exchange chunks must agree
 * on them; the default is what lode uses everywhere unless told otherwise.
 *
 * @param min no chunk is shorter, except the last of an object
 * @param avg the normalised target size
 * @param max no chunk is longer
 */
public record ChunkerConfig(int min, int avg, int max) {
    /** 16 KiB / 64 KiB / 256 KiB. */
    public static final ChunkerConfig DEFAULT = new ChunkerConfig(16 * 1024, 64 * 1024, 256 * 1024);

    /** Smallest allowed {@code min}: below this the gear hash has too little context. */
    public static final int MIN_MIN = 64;

    /** Largest allowed {@code max}. */
    public static final int MAX_MAX = 64 * 1024 * 1024;

    public ChunkerConfig {
        if (min < MIN_MIN) {
            throw new IllegalArgumentException("chunk min must be at least " + MIN_MIN + " bytes, got " + min);
        }
        if (Integer.bitCount(avg) != 1) {
            throw new IllegalArgumentException("chunk avg must be a power of two, got " + avg);
        }
        if (!(min < avg && avg < max)) {
            throw new IllegalArgumentException(
                    "chunk sizes must satisfy min < avg < max, got " + min + "/" + avg + "/" + max);
        }
        if (max > MAX_MAX) {
            throw new IllegalArgumentException("chunk max must be at most " + MAX_MAX + " bytes, got " + max);
        }
        if (Integer.numberOfTrailingZeros(avg) < 8) {
            throw new IllegalArgumentException("chunk avg must be at least 256 bytes, got " + avg);
        }
    }

    /** Parses {@code "min/avg/max"} with optional K/M suffixes, e.g. {@code 16K/64K/256K}. */
    public static ChunkerConfig parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("chunk sizes must look like 16K/64K/256K, got '" + text + "'");
        }
        return new ChunkerConfig(size(parts[0], text), size(parts[1], text), size(parts[2], text));
    }

    private static int size(String s, String whole) {
        String t = s.trim().toUpperCase(java.util.Locale.ROOT);
        int mul = 1;
        if (t.endsWith("K")) {
            mul = 1024;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("M")) {
            mul = 1024 * 1024;
            t = t.substring(0, t.length() - 1);
        }
        try {
            return Math.multiplyExact(Integer.parseInt(t), mul);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("bad chunk size '" + s + "' in '" + whole + "'", e);
        }
    }
}
