package dev.lode.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViewPolicyTest {
    final ViewPolicy view = new ViewPolicy(256, 1.0, 0.1);
    final Observer atOrigin = new Observer(Vec3.ZERO, new Vec3(0, 0, 1), new Vec3(0, 0, 10), 1.0, 1000);

    @Test
    void closerAssetsWantFinerLevels() {
        Bounds near = new Bounds(0, 0, 5, 1);
        Bounds mid = new Bounds(0, 0, 10, 1);
        Bounds far = new Bounds(0, 0, 400, 1);
        assertThat(view.wantedLevel(atOrigin, near, 3)).isEqualTo(2);
        assertThat(view.wantedLevel(atOrigin, mid, 3)).isEqualTo(1);
        assertThat(view.wantedLevel(atOrigin, far, 3)).isZero();
        assertThat(view.wantedLevel(atOrigin, far, 1)).isZero();
        assertThat(view.levelForPixels(256, 4)).isEqualTo(3);
        assertThat(view.levelForPixels(128, 4)).isEqualTo(2);
        assertThat(view.levelForPixels(127, 4)).isEqualTo(1);
    }

    @Test
    void frustumAndPredictionShapePriority() {
        Bounds ahead = new Bounds(0, 0, 30, 1);
        Bounds behind = new Bounds(0, 0, -30, 1);
        Bounds side = new Bounds(30, 0, 0, 1);
        assertThat(view.inView(atOrigin, ahead)).isTrue();
        assertThat(view.inView(atOrigin, behind)).isFalse();
        assertThat(view.priority(atOrigin, ahead)).isGreaterThan(view.priority(atOrigin, behind));
        // Flying towards +z at 10/s: an asset 12 units ahead gains from prediction, one behind does not.
        Observer still = new Observer(Vec3.ZERO, new Vec3(0, 0, 1), Vec3.ZERO, 1.0, 1000);
        Bounds closeAhead = new Bounds(0, 0, 12, 1);
        assertThat(view.priority(atOrigin, closeAhead)).isGreaterThan(view.priority(still, closeAhead));
        assertThat(view.streamLevel(atOrigin, closeAhead, 3))
                .isGreaterThanOrEqualTo(view.wantedLevel(atOrigin, closeAhead, 3));
        assertThat(view.inView(atOrigin, side)).isFalse();
        // An observer inside the bounds always sees them.
        assertThat(view.inView(atOrigin, new Bounds(0, 0, 0, 5))).isTrue();
    }

    @Test
    void badParametersAreRejected() {
        assertThatThrownBy(() -> new ViewPolicy(0, 1, 0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Observer(Vec3.ZERO, new Vec3(0, 0, 1), Vec3.ZERO, 4, 100))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Bounds(0, 0, 0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bounds.parse("1,2,3")).isInstanceOf(dev.lode.core.FormatException.class);
    }
}
