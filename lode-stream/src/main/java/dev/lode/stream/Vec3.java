package dev.lode.stream;

/** A point or direction in world space. */
public record Vec3(double x, double y, double z) {
    /** The origin. */
    public static final Vec3 ZERO = new Vec3(0, 0, 0);

    /** {@code this + o * s}. */
    public Vec3 plusScaled(Vec3 o, double s) {
        return new Vec3(x + o.x * s, y + o.y * s, z + o.z * s);
    }

    /** Length. */
    public double length() {
        return Math.sqrt(x * x + y * y + z * z);
    }

    /** This vector scaled to length 1 (or unchanged when zero). */
    public Vec3 normalized() {
        double l = length();
        return l == 0 ? this : new Vec3(x / l, y / l, z / l);
    }
}
