package dev.lode.stream;

/**
 * How an observer turns into priorities and wanted LOD levels. Pure functions, shared by the
 * streamer and by anything that must agree with it (an engine's visibility pass, a baseline
 * loader in a benchmark).
 *
 * @param finestPixels on-screen diameter at which the finest variant is wanted; each coarser
 *     variant serves half the size
 * @param predictionSeconds how far ahead along the velocity the observer is predicted
 * @param outOfViewWeight priority factor for assets outside the view cone now and predicted
 */
public record ViewPolicy(double finestPixels, double predictionSeconds, double outOfViewWeight) {
    /** Priority of assets without bounds (UI, shared data): ahead of anything positional. */
    public static final double CRITICAL = 1e12;

    public ViewPolicy {
        if (!(finestPixels > 0) || !(predictionSeconds >= 0) || !(outOfViewWeight >= 0)) {
            throw new IllegalArgumentException(
                    "bad view policy " + finestPixels + ", " + predictionSeconds + ", " + outOfViewWeight);
        }
    }

    /** 512 px for the finest variant, one second of prediction, out of view weighted 0.1. */
    public static ViewPolicy defaults() {
        return new ViewPolicy(512, 1.0, 0.1);
    }

    /** On-screen diameter in pixels of {@code b} seen from {@code at}. */
    public double screenPixels(Observer o, Vec3 at, Bounds b) {
        double d = b.distanceTo(at.x(), at.y(), at.z());
        if (d <= b.radius()) {
            return o.screenHeightPx() * 2.0;
        }
        double angular = b.radius() / Math.sqrt(d * d - b.radius() * b.radius());
        return angular / Math.tan(o.fovRadians() / 2) * o.screenHeightPx();
    }

    /** Whether {@code b} intersects the view cone from {@code at} along {@code dir}. */
    public boolean inView(Observer o, Vec3 at, Vec3 dir, Bounds b) {
        double vx = b.x() - at.x();
        double vy = b.y() - at.y();
        double vz = b.z() - at.z();
        double d = Math.sqrt(vx * vx + vy * vy + vz * vz);
        if (d <= b.radius()) {
            return true;
        }
        Vec3 f = dir.normalized();
        double cos = (vx * f.x() + vy * f.y() + vz * f.z()) / d;
        double angle = Math.acos(Math.max(-1, Math.min(1, cos)));
        return angle - Math.asin(b.radius() / d) <= o.fovRadians() / 2;
    }

    /** Whether {@code b} is in view now. */
    public boolean inView(Observer o, Bounds b) {
        return inView(o, o.position(), o.forward(), b);
    }

    /** The LOD level ({@code 0..levels-1}, coarse to fine) wanted for an on-screen size. */
    public int levelForPixels(double px, int levels) {
        if (levels <= 1) {
            return 0;
        }
        int steps = px >= finestPixels ? 0 : (int) Math.ceil(Math.log(finestPixels / Math.max(px, 1e-9)) / Math.log(2));
        return Math.max(0, levels - 1 - steps);
    }

    /** The level wanted for {@code b} now. */
    public int wantedLevel(Observer o, Bounds b, int levels) {
        return levelForPixels(screenPixels(o, o.position(), b), levels);
    }

    /** The level to stream for {@code b}: the finer of now and the predicted position. */
    public int streamLevel(Observer o, Bounds b, int levels) {
        Vec3 ahead = o.position().plusScaled(o.velocity(), predictionSeconds);
        double px = Math.max(screenPixels(o, o.position(), b), screenPixels(o, ahead, b));
        return levelForPixels(px, levels);
    }

    /**
     * Urgency of {@code b}: its on-screen size, weighted by whether it is in view now or will be
     * at the predicted position. Higher loads sooner.
     */
    public double priority(Observer o, Bounds b) {
        double now = screenPixels(o, o.position(), b) * (inView(o, b) ? 1.0 : outOfViewWeight);
        if (predictionSeconds == 0 || o.velocity().length() == 0) {
            return now;
        }
        Vec3 ahead = o.position().plusScaled(o.velocity(), predictionSeconds);
        Vec3 dir = o.velocity().normalized();
        boolean seen = inView(o, ahead, dir, b) || inView(o, ahead, o.forward(), b);
        double later = screenPixels(o, ahead, b) * (seen ? 0.7 : outOfViewWeight * 0.7);
        return Math.max(now, later);
    }
}
