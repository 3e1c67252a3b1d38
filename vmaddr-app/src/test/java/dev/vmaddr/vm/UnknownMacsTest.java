package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link UnknownMacs}: reading deletes nothing; a NIC taking the MAC does. */
class UnknownMacsTest {
    private static final MacAddress STRANGER = MacAddress.parse("02:aa:00:00:00:01");

    private final VmFixture f = new VmFixture();
    private final VmRepository repository = new VmRepository(f.store.documents(), f.store.history());
    private final UnknownMacs unknown = new UnknownMacs(repository);

    @Test
    void readingDeletesNothingEvenWhatANicHoldsNow() {
        unknown.remember("t1", STRANGER, VmFixture.ip("198.18.4.240"), f.clock.instant());

        assertThat(unknown.list("t1", (net, mac) -> true)).as("held by a NIC: left out").isEmpty();
        assertThat(unknown.list("t1", (net, mac) -> false)).extracting(UnknownMac::mac).containsExactly(STRANGER);
        assertThat(unknown.list("t2", (net, mac) -> false)).isEmpty();
        assertThat(new UnknownMacs(repository).list("t1", (net, mac) -> false)).hasSize(1);
    }

    @Test
    void aRenewalWritesNothingAndANewAddressReplacesTheRecord() {
        unknown.remember("t1", STRANGER, VmFixture.ip("198.18.4.240"), f.clock.instant());
        var first = f.clock.instant();
        f.clock.advance(Duration.ofMinutes(1));
        unknown.remember("t1", STRANGER, VmFixture.ip("198.18.4.240"), f.clock.instant());
        assertThat(unknown.list("t1", (net, mac) -> false)).extracting(UnknownMac::at).containsExactly(first);

        unknown.remember("t1", STRANGER, VmFixture.ip("198.18.4.241"), f.clock.instant());
        assertThat(new UnknownMacs(repository).list("t1", (net, mac) -> false))
                .extracting(u -> u.ip().toString()).containsExactly("198.18.4.241");
    }

    @Test
    void forgettingDeletesTheDocument() {
        unknown.remember("t1", STRANGER, VmFixture.ip("198.18.4.240"), f.clock.instant());
        unknown.forget("t1", STRANGER);
        assertThat(unknown.list("t1", (net, mac) -> false)).isEmpty();
        assertThat(f.store.documents().list(VmRepository.UNKNOWN_KIND)).isEmpty();
    }

    @Test
    void aNicCreatedWithTheMacDrainsItsRecordWithoutAnyRead() {
        VmInventory inv = f.inventory;
        inv.recordDhcpLease("t1", STRANGER, VmFixture.ip("198.18.4.240"));
        inv.recordDhcpLease("t2", STRANGER, VmFixture.ip("198.18.5.240"));
        assertThat(f.store.documents().list(VmRepository.UNKNOWN_KIND)).hasSize(2);

        inv.create("adopt", "hv1", List.of(new NicRequest("nic0", "t1", STRANGER)));

        assertThat(f.store.documents().list(VmRepository.UNKNOWN_KIND)).as("only t2's record stays").hasSize(1);
        assertThat(inv.unknownMacs("t2")).extracting(UnknownMac::mac).containsExactly(STRANGER);
        assertThat(inv.unknownMacs("t1")).isEmpty();
    }

    @Test
    void aPendingMacDrainsItsRecordToo() {
        VmInventory inv = new VmFixture(new MemoryStore(), true, f.clock).inventory;
        inv.create("vm", "hv1", List.of(new NicRequest("nic0", "t1", null)));
        inv.recordDhcpLease("t1", STRANGER, VmFixture.ip("198.18.4.240"));
        assertThat(inv.unknownMacs("t1")).hasSize(1);

        inv.setMac("vm", "nic0", STRANGER);

        assertThat(inv.unknownMacs("t1")).isEmpty();
    }
}
