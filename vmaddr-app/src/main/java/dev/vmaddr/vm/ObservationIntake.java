package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.NetworkSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What was seen on the guests' side: guest reports (qemu guest agent, KubeVirt) and the addresses
 * the DHCP server bound. Each becomes the observation of the NIC it matches; what matches no NIC
 * is told to the MAC pool (so it never hands that MAC out) or kept in {@link UnknownMacs}. Drift
 * is read from these later ({@link VmDrift}); nothing here changes a NIC's MAC or address.
 */
final class ObservationIntake {
    private final VmTable table;
    private final VmMacPool macs;
    private final UnknownMacs unknown;
    private final VmIpam ipam;
    private final Clock clock;

    ObservationIntake(VmTable table, VmMacPool macs, UnknownMacs unknown, VmIpam ipam, Clock clock) {
        this.table = table;
        this.macs = macs;
        this.unknown = unknown;
        this.ipam = ipam;
        this.clock = clock;
    }

    /** Takes a guest report: each NIC's observation, and which NICs were missing or MACs unknown. */
    Vm report(String vmName, GuestReport report) {
        return table.locked(vmName, () -> {
            Vm vm = table.get(vmName);
            GuestMatcher.Result r = GuestMatcher.match(vm, report);
            List<Nic> nics = new ArrayList<>();
            for (Nic n : vm.nics()) {
                GuestInterface g = r.matched().get(n.name());
                if (g == null) {
                    nics.add(n);
                    continue;
                }
                nics.add(n.withObserved(new Observation(g.mac(), g.ips(), report.source(), report.at(), g.interfaceName())));
                blockSquatted(vmName, n, g, report.source());
                if (g.mac() != null && !n.owns(g.mac())) {
                    // On the wire now; the pool must not hand it to anyone else. The NIC's owner
                    // string lets this NIC claim it when the operator accepts the guest's MAC.
                    macs.observe(g.mac(), Vm.owner(vmName, n.name()));
                }
            }
            for (GuestInterface g : r.unknown()) {
                macs.observe(g.mac(), "vm/" + vmName);
            }
            ReportSummary summary = new ReportSummary(report.source(), report.at(), r.missing(), r.unknown());
            return table.commit(vm.withReport(nics, summary, clock.instant()), LogEvents.VM_REPORTED);
        });
    }

    /**
     * The guest uses IPv4 addresses of the NIC's network other than the NIC's own (a static address
     * configured in the guest, harvester#5452): each is blocked in IPAM so it is never offered to
     * another client while this guest squats it. The drift finding {@code ip-mismatch} says what to
     * do ({@link VmDrift}). Addresses outside the network (another subnet the guest also has) are
     * left alone.
     */
    private void blockSquatted(String vmName, Nic n, GuestInterface g, String source) {
        if (n.ip() == null) {
            return; // gave its address back (stopped on an on-stop network): nothing to compare with
        }
        NetworkSpec net = ipam.network(n.network()).orElse(null);
        if (net == null) {
            return;
        }
        MacAddress mac = g.mac() != null ? g.mac() : n.mac();
        for (String text : g.ips()) {
            if (text.indexOf(':') >= 0) {
                continue;
            }
            Ipv4Address ip = Ipv4Address.parse(text);
            if (!ip.equals(n.ip()) && net.cidr().contains(ip)) {
                ipam.markSquatted(n.network(), ip, mac, source + " report of " + Vm.owner(vmName, n.name()));
            }
        }
    }

    /**
     * The DHCP server bound {@code ip} on {@code network} to {@code mac}: the NIC owning that MAC
     * (spec or pending) records it as observed; a MAC of no NIC is remembered as unknown on that
     * network. Returns the VM whose NIC it was.
     */
    Optional<Vm> recordDhcpLease(String network, MacAddress mac, Ipv4Address ip) {
        Optional<String> owner = table.vmOf(mac);
        if (owner.isPresent()) {
            Optional<Vm> updated = table.locked(owner.get(), () -> observe(owner.get(), network, mac, ip));
            if (updated.isPresent()) {
                return updated;
            }
        }
        unknown.remember(network, mac, ip, clock.instant());
        if (table.nicOn(network, mac).isPresent()) {
            unknown.forget(network, mac); // a NIC took the MAC meanwhile (see UnknownMacs)
        }
        return Optional.empty();
    }

    /** Under the VM's lock: the NIC on {@code network} with {@code mac} observed it bound to {@code ip}. */
    private Optional<Vm> observe(String vmName, String network, MacAddress mac, Ipv4Address ip) {
        Optional<Vm> vm = table.find(vmName);
        Optional<Nic> nic = vm.flatMap(v -> v.nics().stream().filter(n -> n.network().equals(network) && n.owns(mac)).findFirst());
        if (nic.isEmpty()) {
            return Optional.empty(); // changed meanwhile, or the MAC's NIC is on another network
        }
        Observation before = nic.get().observed();
        if (before != null && GuestReport.DHCP.equals(before.source()) && mac.equals(before.mac())
                && before.ips().equals(List.of(ip.toString()))) {
            // A renewal: nothing new to record (and no store write per renewal); "at" is when
            // this binding was first seen.
            return vm;
        }
        String ifName = before == null ? null : before.interfaceName();
        Instant now = clock.instant();
        Nic next = nic.get().withObserved(new Observation(mac, List.of(ip.toString()), GuestReport.DHCP, now, ifName));
        return Optional.of(table.commit(VmTable.replace(vm.get(), next, now), LogEvents.VM_NIC_DHCP_OBSERVED));
    }
}
