package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: an address found in use (probe answered, or the client declined it) stays
 * quarantined while the client that was offered it goes on to bind, renew and release another
 * address. Seen in the real-client tests: the conflict record of .100 vanished after the client
 * released its own .101.
 */
class ConflictQuarantineTest {
    private static final Ipv4Address A100 = Ipv4Address.parse("198.18.0.100");
    private static final Ipv4Address A101 = Ipv4Address.parse("198.18.0.101");

    @TempDir
    static Path dir;

    static Stream<Function<MutableClock, Store>> stores() {
        return Stream.of(c -> new MemoryStore(), c -> EmbeddedStore.open(dir.resolve("s" + System.nanoTime()), c,
                EmbeddedStore.Options.defaults()));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void conflictStaysQuarantinedAfterTheClientBindsAndReleasesAnotherAddress(Function<MutableClock, Store> open) {
        MutableClock clock = new MutableClock();
        try (Store store = open.apply(clock)) {
            AllocationEngine engine = new AllocationEngine(store, clock, new Random(1));
            engine.putNetwork(NetworkSpec.of("n", Ipv4Prefix.parse("198.18.0.0/24"), Ipv4Address.parse("198.18.0.1"),
                    List.of(Ipv4Range.parse("198.18.0.100-198.18.0.101"))));
            AllocationRequest x = AllocationRequest.of(MacAddress.parse("02:18:00:00:00:01")).withRequestedIp(A100);

            Lease offered = engine.offer("n", x, Duration.ofSeconds(30));
            assertThat(offered.ip()).isEqualTo(A100);
            engine.markConflict("n", A100, "answered a probe");
            Lease second = engine.offer("n", x.withRequestedIp(null), Duration.ofSeconds(30));
            assertThat(second.ip()).isEqualTo(A101);
            engine.bind("n", x.withRequestedIp(null), A101);
            clock.advance(Duration.ofSeconds(5));
            engine.bind("n", x.withRequestedIp(null), A101);
            assertThat(engine.release("n", x.holder(), A101)).isPresent();
            clock.advance(Duration.ofSeconds(6));
            engine.reclaimExpired(); // the server's background job, every 5 s

            assertThat(engine.lease("n", A100)).hasValueSatisfying(l -> {
                assertThat(l.state()).isEqualTo(LeaseState.DECLINED);
                assertThat(l.occupiesAt(clock.instant())).isTrue();
            });
            AllocationRequest y = AllocationRequest.of(MacAddress.parse("02:18:00:00:00:02"));
            assertThat(engine.offer("n", y, Duration.ofSeconds(30)).ip()).isEqualTo(A101);
        }
    }
}
