package dev.lode.server;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Presigned URLs for private tenant artifacts: {@code PATH?expires=EPOCH_SECONDS&sig=HEX}, where
 * {@code sig} is HMAC-SHA256 with the tenant's signing secret over {@code METHOD\nPATH\nEXPIRES}.
 * The path names the tenant, and each tenant has its own secret, so a URL signed for one tenant
 * never verifies for another. HEAD is verified as GET (a browser may probe with HEAD).
 */
public final class Presigner {
    /** The default lifetime of a presigned URL. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofHours(1);

    /** The longest lifetime accepted (7 days, like S3). */
    public static final Duration MAX_EXPIRY = Duration.ofDays(7);

    private Presigner() {}

    /** The path with its signature query: {@code path?expires=...&sig=...}. */
    public static String sign(byte[] secret, String method, String path, Instant expires) {
        long exp = expires.getEpochSecond();
        return path + "?expires=" + exp + "&sig=" + signature(secret, method, path, exp);
    }

    /** A full URL under {@code base} (e.g. {@code http://host:37015}) valid for {@code ttl}. */
    public static String url(byte[] secret, String base, String path, Duration ttl, Instant now) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_EXPIRY) > 0) {
            throw new IllegalArgumentException("presign expiry must be between 1 s and 7 days, got " + ttl);
        }
        String b = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return b + sign(secret, "GET", path, now.plus(ttl));
    }

    /** Whether {@code sig} is valid for the request and {@code expires} is not past. */
    public static boolean verify(byte[] secret, String method, String path, String expires, String sig, Instant now) {
        if (expires == null || sig == null || expires.length() > 12 || !expires.matches("\\d+")) {
            return false;
        }
        long exp = Long.parseLong(expires);
        if (now.getEpochSecond() > exp) {
            return false;
        }
        String m = method.equalsIgnoreCase("HEAD") ? "GET" : method.toUpperCase(Locale.ROOT);
        byte[] expected = signature(secret, m, path, exp).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, sig.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    static String signature(byte[] secret, String method, String path, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String canonical = method + "\n" + path + "\n" + expires;
            return HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
