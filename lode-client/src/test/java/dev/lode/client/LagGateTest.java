package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LagGateTest {
    private final FakeClock clock = new FakeClock();
    private final LagGate gate = new LagGate(Duration.ofMillis(250), Duration.ofSeconds(2), clock);

    @Test
    void aHighPingPausesUntilTheLinkHasBeenIdleLongEnough() {
        gate.onPing(Duration.ofMillis(40));
        assertThat(gate.isPaused()).isFalse();
        gate.onPing(Duration.ofMillis(300));
        assertThat(gate.pauseReason()).contains("250 ms");
        clock.advance(Duration.ofMillis(1500).toNanos());
        gate.onPing(Duration.ofMillis(30));
        assertThat(gate.isPaused()).isTrue();
        clock.advance(Duration.ofMillis(600).toNanos());
        assertThat(gate.isPaused()).isFalse();
    }

    @Test
    void anotherSpikeRestartsTheIdleTime() {
        gate.onPing(Duration.ofMillis(400));
        clock.advance(Duration.ofMillis(1900).toNanos());
        gate.onPing(Duration.ofMillis(260));
        clock.advance(Duration.ofMillis(1900).toNanos());
        assertThat(gate.isPaused()).isTrue();
        clock.advance(Duration.ofMillis(200).toNanos());
        assertThat(gate.isPaused()).isFalse();
    }

    @Test
    void lowBandwidthModePausesUntilTurnedOff() {
        gate.setLowBandwidth(true);
        assertThat(gate.pauseReason()).isEqualTo("low-bandwidth mode");
        clock.advance(Duration.ofMinutes(5).toNanos());
        assertThat(gate.isPaused()).isTrue();
        gate.setLowBandwidth(false);
        assertThat(gate.isPaused()).isFalse();
    }

    @Test
    void awaitOpenReturnsAtOnceWhenOpen() throws Exception {
        String[] reason = {null};
        gate.awaitOpen(r -> reason[0] = r);
        assertThat(reason[0]).isNull();
        assertThat(gate.lastPing()).isNull();
    }
}
