package dev.vmaddr.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.Ipv6Leases;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.store.memory.MemoryStore;
import dev.vmaddr.testing.MutableClock;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The inventory learns IPv6: a NIC's DHCPv6 address from the real DHCPv6 lease book (by the MAC the
 * binding recorded) or a reservation by MAC, shown beside its SLAAC address; and {@code ip-mismatch}
 * for observed IPv6 addresses the network did not give the NIC.
 */
class Ipv6InventoryTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress RESERVED_MAC = MacAddress.parse("52:54:00:aa:bb:cc");
    private final MutableClock clock = new MutableClock(VmFixture.START);
    private final MemoryStore store = new MemoryStore();
    private final AllocationEngine engine = new AllocationEngine(store, clock, new SplittableRandom(7));
    private final NetworkCatalog catalog = new NetworkCatalog(engine, clock);
    private final MacPool pool = new MacPool(MacPoolSpec.defaults(), store.macs(), clock, new SplittableRandom(8));
    private final Ipv6Leases leases = new Ipv6Leases(store.documents(), clock, new SplittableRandom(9));
    private final VmInventory inventory;
    private final VmDrift drift;

    Ipv6InventoryTest() {
        catalog.put(v6("st", "198.18.4.0/24", "2001:db8:0:4::/64", Ipv6Mode.STATEFUL));
        catalog.put(v6("bo", "198.18.5.0/24", "2001:db8:0:5::/64", Ipv6Mode.BOTH));
        catalog.put(v6("sl", "198.18.6.0/24", "2001:db8:0:6::/64", Ipv6Mode.SLAAC));
        inventory = new VmInventory(new EngineVmIpam(engine, catalog, leases, clock), new PoolVmMacs(pool),
                store.documents(), store.history(), clock);
        drift = new VmDrift(inventory, (subject, finding) -> {});
    }

    private static NetworkSpec v6(String name, String cidr, String prefix, Ipv6Mode mode) {
        String p = prefix.substring(0, prefix.indexOf("::"));
        return VmFixture.network(name, cidr, ReleasePolicy.ON_DELETE, prefix).toBuilder().ipv6Mode(mode)
                .leaseTime(Duration.ofHours(1))
                .ipv6Pools(List.of(Ipv6Range.parse(p + "::100-" + p + "::1ff")))
                .ipv6Reservations(List.of(new Ipv6Reservation(RESERVED_MAC, null, Ipv6Address.parse(p + "::80"), null)))
                .build();
    }

    /** A DUID-LL (RFC 8415 11.4) of {@code mac}: the binding records the MAC from it. */
    private static Duid duidLl(MacAddress mac) {
        return Duid.parse("00:03:00:01:" + mac.toString().replace('-', ':'));
    }

    private Ipv6Address bindDhcpv6(String network, MacAddress mac) {
        NetworkSpec net = catalog.get(network).orElseThrow();
        Duid d = duidLl(mac);
        assertThat(d.linkLayerAddress()).isEqualTo(mac);
        Ipv6Address offered = leases.offer(net, d, 1, d.linkLayerAddress(), null).orElseThrow().ip();
        return leases.bind(net, d, 1, d.linkLayerAddress(), offered, null).orElseThrow().ip();
    }

    private NicView nic(String vm) {
        return inventory.view(inventory.get(vm), "nic0");
    }

    private List<DriftFinding> mismatches(String vm) {
        return drift.findings(vm).stream().filter(f -> f.kind() == DriftKind.IP_MISMATCH).toList();
    }

    private void report(String vm, String mac, String... v6) throws Exception {
        StringBuilder ips = new StringBuilder("{\"ip-address-type\":\"ipv4\",\"ip-address\":\"" + inventory.get(vm).nics()
                .getFirst().ip() + "\",\"prefix\":24},{\"ip-address-type\":\"ipv6\",\"ip-address\":\"fe80::5054:ff:fe12:3456%eth0\",\"prefix\":64}");
        for (String a : v6) {
            ips.append(",{\"ip-address-type\":\"ipv6\",\"ip-address\":\"").append(a).append("\",\"prefix\":64}");
        }
        String iface = "{\"name\":\"eth0\",\"hardware-address\":\"" + mac + "\",\"ip-addresses\":[" + ips + "]}";
        inventory.report(vm, new GuestReports(clock).parse(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"source\":\"qemu-guest-agent\",\"interfaces\":[" + iface + "]}")));
    }

    @Test
    void aStatefulNicShowsTheAddressItsDhcpv6BindingHoldsBesideItsSlaacAddress() {
        inventory.create("a", "hv1", List.of(new NicRequest("nic0", "st", MAC)));
        assertThat(nic("a").ipv6()).as("no binding yet").isNull();

        Ipv6Address bound = bindDhcpv6("st", MAC);

        NicView v = nic("a");
        assertThat(v.ipv6()).isEqualTo(bound);
        assertThat(Ipv6Range.parse("2001:db8:0:4::100-2001:db8:0:4::1ff").contains(bound)).isTrue();
        assertThat(v.ipv6Slaac().toString()).isEqualTo("2001:db8:0:4:5054:ff:fe12:3456");
        assertThat(VmJson.nic(v).get("ipv6").asText()).isEqualTo(bound.toString());
    }

    @Test
    void anExpiredBindingIsNoLongerTheNicsAddress() {
        inventory.create("a", "hv1", List.of(new NicRequest("nic0", "bo", MAC)));
        bindDhcpv6("bo", MAC);
        clock.advance(Duration.ofHours(2));
        assertThat(nic("a").ipv6()).isNull();
    }

    @Test
    void aReservationByMacGivesTheAddressBeforeAnyBinding() {
        inventory.create("r", "hv1", List.of(new NicRequest("nic0", "bo", RESERVED_MAC)));
        assertThat(nic("r").ipv6()).isEqualTo(Ipv6Address.parse("2001:db8:0:5::80"));
    }

    @Test
    void aSlaacOnlyNetworkShowsNoDhcpv6AddressEvenWithAReservation() {
        inventory.create("s", "hv1", List.of(new NicRequest("nic0", "sl", RESERVED_MAC)));
        assertThat(nic("s").ipv6()).isNull();
        assertThat(nic("s").ipv6Slaac()).isNotNull();
        assertThat(VmJson.nic(nic("s")).get("ipv6").isNull()).isTrue();
    }

    @Test
    void aStaticAddressOnADhcpv6OnlyNetworkIsAnIpMismatchWithTheFix() throws Exception {
        inventory.create("a", "hv1", List.of(new NicRequest("nic0", "st", MAC)));
        Ipv6Address own = bindDhcpv6("st", MAC);

        report("a", MAC.toString(), own.toString(), "2001:db8:0:4::99");

        List<DriftFinding> f = mismatches("a");
        assertThat(f).hasSize(1);
        assertThat(f.getFirst().observed()).isEqualTo("2001:db8:0:4::99");
        assertThat(f.getFirst().expected()).contains(own.toString());
        assertThat(f.getFirst().fix()).contains("ip -6 addr del 2001:db8:0:4::99/64 dev eth0", "dhclient -6 eth0");
    }

    @Test
    void ownAddressesLinkLocalAndOtherPrefixesAreNoDrift() throws Exception {
        inventory.create("a", "hv1", List.of(new NicRequest("nic0", "st", MAC)));
        Ipv6Address own = bindDhcpv6("st", MAC);

        report("a", MAC.toString(), own.toString(), "2001:db8:0:4:5054:ff:fe12:3456", "fd00:1::7", "2001:db8:99::7");

        assertThat(mismatches("a")).isEmpty();
    }

    @Test
    void privacyAddressesAreNoDriftWhereThePrefixIsAutonomousButAnAddressInTheDhcpv6PoolIs() throws Exception {
        inventory.create("b", "hv1", List.of(new NicRequest("nic0", "bo", MAC)));
        Ipv6Address own = bindDhcpv6("bo", MAC);

        // An RFC 8981 temporary / RFC 7217 stable-privacy address: a random interface identifier.
        report("b", MAC.toString(), own.toString(), "2001:db8:0:5:9c3e:41d7:22ab:e0f1");
        assertThat(mismatches("b")).isEmpty();

        report("b", MAC.toString(), own.toString(), "2001:db8:0:5:9c3e:41d7:22ab:e0f1", "2001:db8:0:5::1a0");
        assertThat(mismatches("b")).singleElement().satisfies(x -> assertThat(x.observed()).isEqualTo("2001:db8:0:5::1a0"));

        // Another client's reserved address is DHCPv6 space too.
        report("b", MAC.toString(), own.toString(), "2001:db8:0:5::80");
        assertThat(mismatches("b")).singleElement().satisfies(x -> assertThat(x.observed()).isEqualTo("2001:db8:0:5::80"));
    }

    @Test
    void aSlaacOnlyNetworkHasNoIpv6DriftItHandsOutNoStatefulAddress() throws Exception {
        inventory.create("s", "hv1", List.of(new NicRequest("nic0", "sl", MAC)));
        report("s", MAC.toString(), "2001:db8:0:6:9c3e:41d7:22ab:e0f1", "2001:db8:0:6::1a0");
        assertThat(mismatches("s")).isEmpty();
    }

    @Test
    void anAddressBoundToAClientWithoutAKnownMacIsNotCalledForeign() throws Exception {
        inventory.create("a", "hv1", List.of(new NicRequest("nic0", "st", MAC)));
        // systemd-networkd's default DUID-EN carries no MAC, and no relay gave one.
        NetworkSpec net = catalog.get("st").orElseThrow();
        Duid en = Duid.parse("00:02:00:00:ab:11:6b:c0:ff:ee:00:00:00:01");
        Ipv6Address ip = leases.offer(net, en, 7, null, null).orElseThrow().ip();
        leases.bind(net, en, 7, null, ip, null).orElseThrow();
        assertThat(nic("a").ipv6()).isNull();

        report("a", MAC.toString(), ip.toString());

        assertThat(mismatches("a")).isEmpty();
    }
}
