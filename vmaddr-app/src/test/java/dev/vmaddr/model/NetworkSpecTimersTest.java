package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Default T1/T2 (RFC 2131 4.4.5: 0.5 and 0.875 of the lease time), computed without BigDecimal. */
class NetworkSpecTimersTest {
    static NetworkSpec withLease(Duration lease) {
        return new NetworkSpec("n", Ipv4Prefix.parse("198.18.0.0/24"), Ipv4Address.parse("198.18.0.1"), List.of(), null,
                null, null, null, null, null, lease, null, null, List.of(Ipv4Range.parse("198.18.0.10-198.18.0.20")),
                List.of(), List.of(), null, List.of(), List.of());
    }

    @Test
    void defaultsAreHalfAndSevenEighths() {
        assertThat(withLease(Duration.ofSeconds(120)).effectiveRenewTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(withLease(Duration.ofSeconds(120)).effectiveRebindTime()).isEqualTo(Duration.ofSeconds(105));
        assertThat(withLease(Duration.ofSeconds(1)).effectiveRebindTime()).isEqualTo(Duration.ofMillis(875));
        assertThat(withLease(Duration.ofSeconds(3601)).effectiveRebindTime()).isEqualTo(Duration.ofMillis(3_150_875));
    }

    @Test
    void sameAsDurationArithmeticToTheNanosecond() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 10_000; i++) {
            Duration d = Duration.ofSeconds(r.nextLong(1, 1L << 32), r.nextInt(1_000_000_000));
            assertThat(NetworkSpec.fraction(d, 1, 2)).isEqualTo(d.dividedBy(2));
            assertThat(NetworkSpec.fraction(d, 7, 8)).as("%s", d).isEqualTo(d.multipliedBy(7).dividedBy(8));
        }
    }
}
