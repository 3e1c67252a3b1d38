package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.hostnet.HostMacs;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolException;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.RequiresRoot;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 20 item 5 (kubemacpool#77): the MAC pool never hands out a MAC that an interface of the
 * host or a neighbour of it carries. The "host" is a network namespace with a veth interface and a
 * neighbour entry whose MACs lie in the pool's range, read with the real {@code ip}; the pool is on
 * the embedded store.
 */
@RequiresRoot
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostMacsNetnsTest {
    static final MacAddress ON_HOST = MacAddress.parse("52:54:00:aa:00:02");
    static final MacAddress NEIGHBOUR = MacAddress.parse("52:54:00:aa:00:03");

    @TempDir
    Path dir;

    private static Netns host(NetnsLab lab) {
        Netns ns = lab.namespace("h");
        // a veth pair: the kernels this runs on may have no dummy driver
        ns.exec("ip", "link", "add", "hm0", "address", ON_HOST.toString(), "type", "veth", "peer", "name", "hm0p").orThrow();
        ns.exec("ip", "link", "set", "hm0p", "address", "02:18:20:00:00:98", "up").orThrow();
        ns.exec("ip", "link", "set", "hm0", "up").orThrow();
        ns.exec("ip", "addr", "add", "198.18.9.1/24", "dev", "hm0").orThrow();
        ns.exec("ip", "neigh", "add", "198.18.9.7", "lladdr", NEIGHBOUR.toString(), "dev", "hm0", "nud", "permanent").orThrow();
        return ns;
    }

    @Test
    void theHostsInterfaceAndNeighbourMacsAreNeverHandedOutAndComeBackWhenGone() throws Exception {
        MutableClock clock = new MutableClock();
        try (NetnsLab lab = NetnsLab.create();
             EmbeddedStore store = EmbeddedStore.open(dir, clock, EmbeddedStore.Options.defaults())) {
            Netns ns = host(lab);
            ProcessCommandRunner root = new ProcessCommandRunner();
            Map<MacAddress, String> carried = HostMacs.read(root.inNetns(ns.name()));
            assertThat(carried).containsEntry(ON_HOST, "host interface hm0")
                    .containsEntry(NEIGHBOUR, "neighbour 198.18.9.7 on hm0");

            // four MACs in the pool, two of them carried next door
            MacPoolSpec spec = new MacPoolSpec(MacPoolSpec.KVM_PREFIX, List.of(new MacPoolSpec.Range(
                    MacAddress.parse("52:54:00:aa:00:01"), MacAddress.parse("52:54:00:aa:00:04"))), Duration.ofHours(1));
            MacPool pool = new MacPool(spec, store.macs(), clock, new SplittableRandom(1));
            assertThat(pool.replaceHostMacs(carried)).isEqualTo(2);
            Set<MacAddress> given = new HashSet<>();
            given.add(pool.allocate("vm/a/nic0"));
            given.add(pool.allocate("vm/b/nic0"));
            assertThat(given).doesNotContain(ON_HOST, NEIGHBOUR).hasSize(2);
            assertThatThrownBy(() -> pool.allocate("vm/c/nic0")).isInstanceOf(MacPoolException.class)
                    .extracting(e -> ((MacPoolException) e).reason()).isEqualTo(MacPoolException.Reason.EXHAUSTED);
            assertThat(pool.carriedByHost(NEIGHBOUR)).contains("neighbour 198.18.9.7 on hm0");

            // the interface goes; the next scan frees its MAC, the neighbour's stays blocked
            ns.exec("ip", "neigh", "del", "198.18.9.7", "dev", "hm0").orThrow();
            ns.exec("ip", "link", "set", "hm0", "address", "02:18:20:00:00:99").orThrow();
            ns.exec("ip", "neigh", "replace", "198.18.9.8", "lladdr", NEIGHBOUR.toString(), "dev", "hm0", "nud", "permanent").orThrow();
            pool.replaceHostMacs(HostMacs.read(root.inNetns(ns.name())));
            assertThat(pool.carriedByHost(ON_HOST)).isEmpty();
            assertThat(pool.allocate("vm/c/nic0")).isEqualTo(ON_HOST);
            assertThatThrownBy(() -> pool.allocate("vm/d/nic0")).isInstanceOf(MacPoolException.class);
        }
    }

    @Test
    void aNicClaimingAHostMacIsDriftAndADhcpClientsMacInThePoolIsKeptFromVms() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns ns = host(lab);
            VmFixture f = new VmFixture();
            f.pool.replaceHostMacs(HostMacs.read(new ProcessCommandRunner().inNetns(ns.name())));

            f.inventory.create("web1", "hv1", List.of(new NicRequest("nic0", "t1", NEIGHBOUR)));
            List<DriftFinding> found = new VmDrift(f.inventory, (s, x) -> {}).findings("web1");
            assertThat(found).filteredOn(x -> x.kind() == DriftKind.MAC_CONFLICT).singleElement().satisfies(x -> {
                assertThat(x.nic()).isEqualTo("nic0");
                assertThat(x.observed()).contains("neighbour 198.18.9.7 on hm0");
                assertThat(x.fix()).contains("vmaddr nic set-mac web1 nic0");
            });
            assertThat(DriftKind.MAC_CONFLICT.wireName()).isEqualTo("mac-conflict");

            MacAddress stranger = MacAddress.parse("52:54:00:12:34:56");
            f.inventory.noteLeasedBy("t1", stranger);
            assertThat(f.macState(stranger)).isEqualTo(MacState.OBSERVED);
            assertThatThrownBy(() -> f.inventory.create("web2", "hv1", List.of(new NicRequest("nic0", "t1", stranger))))
                    .isInstanceOf(VmException.class);
            MacAddress outside = MacAddress.parse("02:18:20:00:00:42");
            f.inventory.noteLeasedBy("t1", outside);
            assertThat(f.macState(outside)).as("outside the pool's prefix: nothing written").isNull();
        }
    }
}
