package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 20 item 2: the reuse cooldown's order comes back from the embedded store's lease records after a restart of the process. */
class ReuseCooldownRestartTest {
    @TempDir
    Path dir;

    @Test
    void freedAddressesGoToNewClientsInTheOrderTheyWereFreedAfterAReopen() {
        MutableClock clock = new MutableClock();
        List<Ipv4Address> freedInOrder = new ArrayList<>();
        try (EmbeddedStore store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults())) {
            AllocationEngine engine = new AllocationEngine(store, clock, new Random(1));
            engine.putNetwork(NetworkSpec.builder("n", Ipv4Prefix.parse("198.18.0.0/24")).gateway(Ipv4Address.parse("198.18.0.1"))
                    .pools(List.of(Ipv4Range.parse("198.18.0.10-198.18.0.19"))).build());
            List<Lease> held = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                held.add(engine.allocate("n", AllocationRequest.of(new MacAddress(0x021800000000L + i))));
            }
            // freed in a scrambled order, a second apart
            for (int i : new int[] {7, 2, 9, 0, 4}) {
                clock.advance(Duration.ofSeconds(1));
                Lease l = held.get(i);
                engine.release("n", HolderKey.of(null, l.mac()), l.ip());
                freedInOrder.add(l.ip());
            }
        }
        try (EmbeddedStore store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults())) {
            AllocationEngine engine = new AllocationEngine(store, clock, new Random(2));
            List<Ipv4Address> given = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                given.add(engine.allocate("n", AllocationRequest.of(new MacAddress(0x021800001000L + i))).ip());
            }
            assertThat(given).containsExactlyElementsOf(freedInOrder);
        }
    }
}
