package dev.lode.client;

/**
 * Compares plugin versions like {@code 1.0.3}, {@code 1.10.0-beta}: dot-separated parts, numeric
 * parts compared as numbers, others as text; a missing part counts as 0; a pre-release suffix
 * after {@code -} sorts before the plain version.
 */
public final class Versions {
    private Versions() {}

    /** Negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}. */
    public static int compare(String a, String b) {
        String[] ma = a.split("[-+]", 2);
        String[] mb = b.split("[-+]", 2);
        String[] pa = ma[0].split("\\.");
        String[] pb = mb[0].split("\\.");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            String x = i < pa.length ? pa[i] : "0";
            String y = i < pb.length ? pb[i] : "0";
            int c = comparePart(x, y);
            if (c != 0) {
                return c;
            }
        }
        boolean preA = ma.length > 1 && a.charAt(ma[0].length()) == '-';
        boolean preB = mb.length > 1 && b.charAt(mb[0].length()) == '-';
        if (preA != preB) {
            return preA ? -1 : 1;
        }
        if (preA) {
            return ma[1].compareTo(mb[1]);
        }
        return 0;
    }

    /** Whether {@code installed} satisfies {@code min} (null min: anything does). */
    public static boolean atLeast(String installed, String min) {
        return min == null || compare(installed, min) >= 0;
    }

    private static int comparePart(String x, String y) {
        boolean nx = !x.isEmpty() && x.chars().allMatch(Character::isDigit);
        boolean ny = !y.isEmpty() && y.chars().allMatch(Character::isDigit);
        if (nx && ny) {
            String tx = x.replaceFirst("^0+(?=.)", "");
            String ty = y.replaceFirst("^0+(?=.)", "");
            if (tx.length() != ty.length()) {
                return Integer.compare(tx.length(), ty.length());
            }
            return tx.compareTo(ty);
        }
        if (nx != ny) {
            return nx ? 1 : -1;
        }
        return x.compareTo(y);
    }
}
