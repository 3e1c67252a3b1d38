package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15 item 1: one machine (one MAC) comes back with another client-id, or none (PXE firmware
 * without one, then the OS with {@code 01}+MAC or a DUID). Whatever it sends, its MAC never holds
 * two bound leases in one network (PRODUCT.md part 5), and a reservation by MAC is that MAC's.
 *
 * <p>Network 198.18.0.0/28: pool .2-.9, .12 reserved for MAC 0 (outside the pool). Three MACs, each
 * sending one of four client-ids at random: none, {@code 01}+MAC, and two DUID-style ones.
 */
class OneMacOneLeaseProperties {
    static final Duration LEASE = Duration.ofSeconds(60);
    static final Duration HOLD = Duration.ofSeconds(5);
    static final List<MacAddress> MACS = List.of(new MacAddress(0x0218aa000050L), new MacAddress(0x0218aa000051L),
            new MacAddress(0x0218aa000052L));
    static final Ipv4Address RESERVED = Ipv4Address.parse("198.18.0.12");

    static ClientId clientId(int mac, int variant) {
        return switch (variant) {
            case 0 -> null;
            case 1 -> ClientId.ofHardware(MACS.get(mac));
            default -> ClientId.parse("ff0000000" + variant + "00010001aabbccdd0" + mac);
        };
    }

    static final class World {
        final MutableClock clock = new MutableClock();
        final MemoryStore store = new MemoryStore();
        final AllocationEngine engine = new AllocationEngine(store, clock, new Random(5), Duration.ofSeconds(20));

        World() {
            engine.putNetwork(NetworkSpec.builder("m", Ipv4Prefix.parse("198.18.0.0/28"))
                    .gateway(Ipv4Address.parse("198.18.0.1")).leaseTime(LEASE)
                    .pools(List.of(Ipv4Range.parse("198.18.0.2-198.18.0.9")))
                    .reservations(List.of(new Reservation(MACS.get(0), null, RESERVED, null))).build());
        }

        AllocationRequest request(int mac, int variant) {
            return new AllocationRequest(MACS.get(mac), clientId(mac, variant), null, null, null);
        }

        /** DISCOVER then REQUEST of the offered address, as a DHCP client does. */
        void dora(int mac, int variant) {
            AllocationRequest req = request(mac, variant);
            Lease offered = engine.offer("m", req, HOLD);
            if (mac == 0) {
                assertThat(offered.ip()).as("the reserved MAC's offer, client-id variant %d", variant).isEqualTo(RESERVED);
            }
            Lease bound = engine.bind("m", req, offered.ip());
            assertThat(bound.ip()).isEqualTo(offered.ip());
        }

        /** INIT-REBOOT: the client asks for the address its MAC holds, under its own client-id. */
        void reboot(int mac, int variant) {
            AllocationRequest req = request(mac, variant);
            Lease lease = engine.clientLease("m", req).orElse(null);
            if (lease != null && lease.state() == LeaseState.BOUND && lease.occupiesAt(clock.instant())) {
                assertThat(engine.bind("m", req, lease.ip()).ip()).isEqualTo(lease.ip());
            }
        }

        void allocate(int mac, int variant) {
            try {
                engine.allocate("m", request(mac, variant));
            } catch (AllocationException e) {
                assertThat(e.reason()).isEqualTo(AllocationException.Reason.EXHAUSTED);
            }
        }

        void release(int mac, int variant) {
            AllocationRequest req = request(mac, variant);
            engine.leaseOf("m", req.holder()).ifPresent(l -> engine.release("m", req.holder(), l.ip()));
        }

        void advance(int seconds) {
            clock.advance(Duration.ofSeconds(seconds));
            engine.reclaimExpired();
        }

        void check() {
            Map<MacAddress, Integer> bound = new HashMap<>();
            for (Lease l : store.leases().list("m")) {
                if (l.state() == LeaseState.BOUND && l.occupiesAt(clock.instant())) {
                    bound.merge(l.mac(), 1, Integer::sum);
                }
            }
            assertThat(bound.values()).as("bound leases per MAC: %s", bound).allMatch(n -> n == 1);
        }
    }

    @Property(tries = 300)
    void aMacNeverHoldsTwoBoundLeases(@ForAll("chains") ActionChain<World> chain) {
        chain.withInvariant("one bound lease per MAC", World::check).run();
    }

    @Provide
    Arbitrary<ActionChain<World>> chains() {
        Arbitrary<Integer> mac = Arbitraries.integers().between(0, MACS.size() - 1);
        Arbitrary<Integer> variant = Arbitraries.integers().between(0, 3);
        return ActionChain.startWith(World::new)
                .withAction(4, (Action.Independent<World>) () -> Combinators.combine(mac, variant).as((m, v) ->
                        Transformer.mutate("dora " + m + "/" + v, w -> w.dora(m, v))))
                .withAction(2, (Action.Independent<World>) () -> Combinators.combine(mac, variant).as((m, v) ->
                        Transformer.mutate("reboot " + m + "/" + v, w -> w.reboot(m, v))))
                .withAction(2, (Action.Independent<World>) () -> Combinators.combine(mac, variant).as((m, v) ->
                        Transformer.mutate("allocate " + m + "/" + v, w -> w.allocate(m, v))))
                .withAction(1, (Action.Independent<World>) () -> Combinators.combine(mac, variant).as((m, v) ->
                        Transformer.mutate("release " + m + "/" + v, w -> w.release(m, v))))
                .withAction(1, (Action.Independent<World>) () -> Arbitraries.integers().between(0, 90).map(s ->
                        Transformer.mutate("advance " + s + "s", w -> w.advance(s))))
                .withMaxTransformations(30);
    }

    @Test
    void firmwareThenOsThenAnotherOsGetTheReservedAddressAndOneLease() {
        World w = new World();
        for (int variant : List.of(0, 1, 2, 0, 3)) {
            w.dora(0, variant);
            w.check();
        }
        Lease l = w.store.leases().get("m", RESERVED).orElseThrow();
        assertThat(l.state()).isEqualTo(LeaseState.BOUND);
        assertThat(l.clientId()).isEqualTo(clientId(0, 3));
    }

    @Test
    void aClientIdOfHardwareTypeOneMatchesAReservationOfThatClientIdWithoutOne() {
        Reservation byId = new Reservation(null, ClientId.ofHardware(MACS.get(1)), RESERVED, null);
        assertThat(byId.matches(MACS.get(1), null)).isTrue();
        assertThat(byId.matches(MACS.get(1), clientId(1, 2))).isTrue();
        assertThat(byId.matches(MACS.get(2), null)).isFalse();
        assertThat(ClientId.ofHardware(MACS.get(1)).hex()).isEqualTo("010218aa000051");
    }
}
