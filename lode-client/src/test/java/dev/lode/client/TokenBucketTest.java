package dev.lode.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenBucketTest {
    @ParameterizedTest
    @ValueSource(longs = {1_000_000, 8_000_000, 50_000})
    void tenSecondsOfRandomReadsStayWithinTwoPercentOfTheRate(long rate) throws Exception {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(rate, clock);
        Random rnd = new Random(rate);
        long start = clock.nanoTime();
        long bytes = 0;
        while (clock.nanoTime() - start < 10_000_000_000L) {
            int n = 1 + rnd.nextInt(64 * 1024);
            bucket.acquire(n);
            bytes += n;
        }
        double secs = (clock.nanoTime() - start) / 1e9;
        double achieved = bytes / secs;
        assertThat(Math.abs(achieved - rate) / rate).isLessThan(0.02);
    }

    @Test
    void zeroRateMeansUnlimited() throws Exception {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(0, clock);
        bucket.acquire(1L << 40);
        assertThat(clock.slept).isZero();
    }

    @Test
    void rateChangesTakeEffect() throws Exception {
        FakeClock clock = new FakeClock();
        TokenBucket bucket = new TokenBucket(1_000_000, clock);
        bucket.acquire(1_000_000);
        long t1 = clock.slept;
        bucket.setRate(2_000_000);
        bucket.acquire(2_000_000);
        assertThat(clock.slept - t1).isBetween(900_000_000L, 1_100_000_000L);
    }

    @Test
    void ratesParseWithUnits() {
        assertThat(TokenBucket.parseRate("8MB/s")).isEqualTo(8_000_000);
        assertThat(TokenBucket.parseRate("500KB/s")).isEqualTo(500_000);
        assertThat(TokenBucket.parseRate("1.5M")).isEqualTo(1_500_000);
        assertThat(TokenBucket.parseRate("0")).isZero();
        assertThatThrownBy(() -> TokenBucket.parseRate("fast")).hasMessageContaining("bad rate 'fast'");
        assertThatThrownBy(() -> TokenBucket.parseRate("-1MB/s")).hasMessageContaining("bad rate");
    }

    @Test
    void theBurstBoundsReadSizesOnlyWhenThrottled() {
        FakeClock clock = new FakeClock();
        assertThat(new TokenBucket(0, clock).burstBytes()).isZero();
        assertThat(new TokenBucket(1_000_000, clock).burstBytes()).isEqualTo(50_000);
        assertThat(new TokenBucket(100_000, clock).burstBytes()).isEqualTo(16 * 1024);
        TokenBucket b = new TokenBucket(8_000_000, clock);
        b.setRate(0);
        assertThat(b.burstBytes()).isZero();
    }
}
