package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {
    final MutableClock clock = new MutableClock();
    final AuthFailureLimiter limiter = new AuthFailureLimiter(new AuthFailureLimiter.Limits(3, Duration.ofSeconds(2), 4), clock);

    @Test
    void anAddressMayFailBurstTimesThenWaitsOneRefillPerAttempt() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.blockedFor("a")).isZero();
            limiter.failed("a");
        }
        assertThat(limiter.blockedFor("a")).isEqualTo(Duration.ofSeconds(2));
        clock.advance(Duration.ofMillis(500));
        assertThat(limiter.blockedFor("a")).isEqualTo(Duration.ofMillis(1500));
        clock.advance(Duration.ofMillis(1500));
        assertThat(limiter.blockedFor("a")).isZero();
        limiter.failed("a");
        assertThat(limiter.blockedFor("a")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void addressesAreLimitedApart() {
        for (int i = 0; i < 3; i++) {
            limiter.failed("a");
        }
        assertThat(limiter.blockedFor("a")).isPositive();
        assertThat(limiter.blockedFor("b")).isZero();
    }

    @Test
    void aFullyRefilledAddressIsAsGoodAsNew() {
        for (int i = 0; i < 3; i++) {
            limiter.failed("a");
        }
        clock.advance(Duration.ofSeconds(60));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.blockedFor("a")).isZero();
            limiter.failed("a");
        }
        assertThat(limiter.blockedFor("a")).isPositive();
    }

    @Test
    void trackedAddressesStayBounded() {
        for (int i = 0; i < 100; i++) {
            limiter.failed("10.0.0." + i);
            assertThat(limiter.tracked()).isLessThanOrEqualTo(4);
        }
        // refilled buckets are forgotten first; draining ones survive while there is room
        clock.advance(Duration.ofSeconds(60));
        limiter.failed("x");
        limiter.failed("x");
        limiter.failed("x");
        limiter.failed("y");
        assertThat(limiter.tracked()).isEqualTo(2);
        assertThat(limiter.blockedFor("x")).isPositive();
    }
}
