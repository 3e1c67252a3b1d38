package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link NicIdentity}: a NIC's MAC and address are given as one (the MAC goes back when the address fails) and given back as one. */
class NicIdentityTest {
    private final VmFixture f = new VmFixture();
    /** MACs the pool handed out through the identity, so a test can ask what became of them. */
    private final List<MacAddress> allocated = new ArrayList<>();
    private final NicIdentity identity;

    NicIdentityTest() {
        PoolVmMacs pool = new PoolVmMacs(f.pool);
        VmMacPool recording = new VmMacPool() {
            @Override
            public MacAddress allocate(String owner) {
                MacAddress mac = pool.allocate(owner);
                allocated.add(mac);
                return mac;
            }

            @Override
            public MacAddress claim(MacAddress mac, String owner) {
                return pool.claim(mac, owner);
            }

            @Override
            public void transfer(MacAddress mac, String from, String to) {
                pool.transfer(mac, from, to);
            }

            @Override
            public void release(MacAddress mac) {
                pool.release(mac);
            }

            @Override
            public void observe(MacAddress mac, String where) {
                pool.observe(mac, where);
            }
        };
        identity = new NicIdentity(recording, new NicAddresses(new EngineVmIpam(f.engine, f.catalog)),
                new VmRepository(f.store.documents(), f.store.history()), f.clock);
        // One address only: the second NIC on it cannot get one.
        f.catalog.put(VmFixture.network("one", "198.18.7.0/24", ReleasePolicy.ON_STOP, null)
                .withPools(List.of(Ipv4Range.parse("198.18.7.10-198.18.7.10"))));
    }

    /** The NIC's own history events for {@code mac} (the MAC pool writes its own beside them). */
    private List<String> history(MacAddress mac) {
        return f.store.history().query(null, mac, null, null, null, 100).stream().map(HistoryEvent::action)
                .filter(a -> a.startsWith("nic-")).toList();
    }

    @Test
    void aNewNicGetsItsMacThenItsAddressAndTheHistorySaysSo() {
        Nic nic = identity.create("web1", new NicRequest("nic0", "t1", null), "mac");

        assertThat(f.macOwner(nic.mac())).isEqualTo("vm/web1/nic0");
        assertThat(f.bound("t1")).containsEntry(nic.ip(), nic.mac());
        assertThat(history(nic.mac())).containsExactlyInAnyOrder("nic-mac-assigned", "nic-address-reserved");
    }

    @Test
    void whenTheAddressCannotBeHadTheClaimedMacGoesBack() {
        identity.create("a", new NicRequest("nic0", "one", null), "mac");
        MacAddress wanted = MacAddress.parse("02:18:00:00:00:31");

        assertThatThrownBy(() -> identity.create("b", new NicRequest("nic0", "one", wanted), "mac"))
                .isInstanceOf(VmException.class)
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.CONFLICT);
        assertThat(f.macState(wanted)).isEqualTo(MacState.QUARANTINED);
        assertThat(history(wanted)).isEmpty();
    }

    @Test
    void aNicThatGaveEverythingBackGetsFreshOnesAndRollsBackTheSameWay() {
        Nic nic = identity.create("eph", new NicRequest("nic0", "one", null), "mac");
        Nic givenBack = identity.giveBack("eph", nic, false);
        assertThat(givenBack.mac()).isNull();
        assertThat(givenBack.ip()).isNull();
        assertThat(f.macState(nic.mac())).isEqualTo(MacState.QUARANTINED);

        Nic again = identity.restore("eph", givenBack);
        assertThat(again.mac()).isNotNull().isNotEqualTo(nic.mac());
        assertThat(again.ip()).isEqualTo(Ipv4Address.parse("198.18.7.10"));

        // The only address is taken now: a second restored NIC keeps no MAC either.
        Nic other = identity.giveBack("eph2", identity.create("eph2", new NicRequest("nic0", "t1", null), "mac"), false);
        Nic onOne = new Nic(other.name(), "one", null, null, null, null);
        allocated.clear();
        assertThatThrownBy(() -> identity.restore("eph2", onOne)).isInstanceOf(VmException.class);
        assertThat(allocated).hasSize(1);
        assertThat(f.macState(allocated.getFirst())).isEqualTo(MacState.QUARANTINED);
    }

    @Test
    void aStopKeepsThePendingMacAndADeletionGivesItBackToo() {
        Nic nic = identity.create("vm", new NicRequest("nic0", "t1", null), "mac");
        MacAddress pending = MacAddress.parse("02:18:00:00:00:32");
        f.pool.claim(pending, "vm/vm/nic0");
        Nic withPending = nic.withMac(nic.mac(), pending, nic.ip());

        assertThat(identity.giveBack("vm", withPending, false).pendingMac()).isEqualTo(pending);
        assertThat(f.macState(pending)).isEqualTo(MacState.ALLOCATED);
        assertThat(identity.giveBack("vm", withPending, true).pendingMac()).isNull();
        assertThat(f.macState(pending)).isEqualTo(MacState.QUARANTINED);
    }

    @Test
    void aNetworkDeletedUnderANicCountsAsGivingBack() {
        Nic gone = new Nic("nic0", "deleted-network", null, null, null, null);
        assertThat(identity.policy(gone)).isEqualTo(ReleasePolicy.ON_DELETE);
        assertThat(identity.policy(new Nic("nic0", "t3", null, null, null, null))).isEqualTo(ReleasePolicy.NEVER);
    }
}
