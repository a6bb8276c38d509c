package dev.lode.stream;

import dev.lode.core.FormatException;

/**
 * A bounding sphere in world space, kept in a manifest entry's {@code bounds} meta key as {@code
 * "x,y,z,radius"}.
 */
public record Bounds(double x, double y, double z, double radius) {
    public Bounds {
        if (!(radius >= 0) || !Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(z)) {
            throw new IllegalArgumentException("bad bounds " + x + "," + y + "," + z + "," + radius);
        }
    }

    /** Parses {@code "x,y,z,radius"}. */
    public static Bounds parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new FormatException("bounds must be 'x,y,z,radius', got '" + text + "'");
        }
        try {
            return new Bounds(
                    Double.parseDouble(parts[0].trim()),
                    Double.parseDouble(parts[1].trim()),
                    Double.parseDouble(parts[2].trim()),
                    Double.parseDouble(parts[3].trim()));
        } catch (IllegalArgumentException e) {
            throw new FormatException("bad bounds '" + text + "': " + e.getMessage(), e);
        }
    }

    /** The meta form, {@code "x,y,z,radius"}. */
    public String toMeta() {
        return x + "," + y + "," + z + "," + radius;
    }

    /** Distance from the point to the sphere's centre. */
    double distanceTo(double px, double py, double pz) {
        double dx = x - px;
        double dy = y - py;
        double dz = z - pz;
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
}
