package dev.vmaddr.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Prefix;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** DHCPv6 address management: no address twice under concurrency, durable, sticky, reservations, pool edits. */
class Ipv6LeasesTest {
    private static final NetworkSpec NET = NetworkSpec.builder("v6", Ipv4Prefix.parse("198.18.0.0/24"))
            .ipv6Prefix(Ipv6Prefix.parse("2001:db8:0:1::/64")).ipv6Mode(Ipv6Mode.STATEFUL).leaseTime(Duration.ofHours(1))
            .ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::1000-2001:db8:0:1::13ff"))) // 1024
            .ipv6Reservations(List.of(new Ipv6Reservation(MacAddress.parse("02:18:00:00:00:99"), null,
                    Ipv6Address.parse("2001:db8:0:1::1005"), null))).build();

    private static Duid duid(int i) {
        return Duid.parse(String.format("00:02:00:00:00:09:%08x", i));
    }

    @Test
    void sixteenThreadsBindingAtOnceNeverShareAnAddressAndEveryBindingIsDurable() throws Exception {
        MemoryStore store = new MemoryStore();
        MutableClock clock = new MutableClock();
        Ipv6Leases leases = new Ipv6Leases(store.documents(), clock, new SplittableRandom(11));
        ConcurrentLinkedQueue<Lease6> bound = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int base = t * 64;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 64; i++) { // 16 x 64 = 1024 clients, one short of pool + reservation
                        Duid d = duid(base + i);
                        Optional<Lease6> l = leases.offer(NET, d, 1, null, null)
                                .flatMap(o -> leases.bind(NET, d, 1, null, o.ip(), null));
                        l.ifPresent(bound::add);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(errors).isEmpty();
        Set<Ipv6Address> ips = new HashSet<>();
        for (Lease6 l : bound) {
            assertThat(ips.add(l.ip())).as("address twice: " + l.ip()).isTrue();
            assertThat(NET.ipv6Pools().getFirst().contains(l.ip())).isTrue();
            assertThat(l.ip()).isNotEqualTo(Ipv6Address.parse("2001:db8:0:1::1005"));
        }
        // The pool holds 1024 minus the reserved one: exactly one client is left without an address.
        assertThat(bound).hasSize(1023);
        Ipv6Leases reloaded = new Ipv6Leases(store.documents(), clock, new SplittableRandom(1));
        reloaded.load();
        assertThat(reloaded.leases("v6")).hasSize(1023).allMatch(l -> l.state() == LeaseState.BOUND);
    }

    @Test
    void stickyAfterReleaseReservationByMacAndExpiredAddressesComeBack() {
        MutableClock clock = new MutableClock();
        Ipv6Leases leases = new Ipv6Leases(new MemoryStore().documents(), clock, new SplittableRandom(2));
        Lease6 a = leases.bind(NET, duid(1), 1, null, null, null).orElseThrow();
        leases.release("v6", duid(1), 1, a.ip()).orElseThrow();
        assertThat(leases.bind(NET, duid(1), 1, null, null, null).orElseThrow().ip()).isEqualTo(a.ip());
        assertThat(leases.bind(NET, duid(2), 1, MacAddress.parse("02:18:00:00:00:99"), null, null).orElseThrow().ip())
                .isEqualTo(Ipv6Address.parse("2001:db8:0:1::1005"));
        // A client asking for another's bound address does not get it.
        assertThat(leases.bind(NET, duid(3), 1, null, a.ip(), null).orElseThrow().ip()).isNotEqualTo(a.ip());

        // Fill the pool, let everything expire: new clients get addresses again.
        NetworkSpec small = NET.toBuilder().ipv6Pools(List.of(Ipv6Range.parse("2001:db8:0:1::2000-2001:db8:0:1::2003")))
                .ipv6Reservations(List.of()).build();
        for (int i = 10; i < 14; i++) {
            assertThat(leases.bind(small, duid(i), 1, null, null, null)).isPresent();
        }
        assertThat(leases.bind(small, duid(20), 1, null, null, null)).isEmpty();
        clock.advance(Duration.ofHours(2));
        assertThat(leases.bind(small, duid(20), 1, null, null, null)).isPresent();
    }
}
