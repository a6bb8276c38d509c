package dev.lode.stream;

/**
 * Where the camera is and where it is going: the input to prioritisation.
 *
 * @param position camera position
 * @param forward view direction (normalised on construction)
 * @param velocity units per second, for predicting where the camera will be
 * @param fovRadians full angle of the view cone
 * @param screenHeightPx vertical resolution, for the screen size of an asset
 */
public record Observer(Vec3 position, Vec3 forward, Vec3 velocity, double fovRadians, int screenHeightPx) {
    public Observer {
        if (!(fovRadians > 0 && fovRadians < Math.PI)) {
            throw new IllegalArgumentException("field of view must be in (0, π), got " + fovRadians);
        }
        if (screenHeightPx <= 0) {
            throw new IllegalArgumentException("screen height must be positive, got " + screenHeightPx);
        }
        forward = forward.normalized();
    }
}
