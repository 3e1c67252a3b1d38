package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.SharedClientId;
import dev.vmaddr.model.NetworkSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where what vmaddr gave a NIC and what was seen disagree, each with the operator's next step.
 *
 * <p>A finding is reported once per evaluation; the {@link DriftListener} hears only findings the
 * previous evaluation of the same subject did not have (so a counter counts appearances of drift,
 * not reads). The last evaluation per subject is kept in memory; concurrent evaluations of one
 * subject may both report an appearance, which over-counts by at most one per race.
 */
public final class VmDrift {
    private final VmInventory inventory;
    private final DriftListener listener;
    private final ConcurrentHashMap<String, Set<String>> previous = new ConcurrentHashMap<>();
    private final java.util.List<Source> sources = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Findings known outside the VM record (a libvirt domain's MAC another VM holds): asked on every read. */
    public interface Source {
        List<DriftFinding> findings(Vm vm);
    }

    public VmDrift(VmInventory inventory, DriftListener listener) {
        this.inventory = inventory;
        this.listener = listener;
    }

    /** Adds a {@link Source}; its findings follow the VM's own, and are announced like them. */
    public void addSource(Source source) {
        sources.add(source);
    }

    public List<DriftFinding> findings(String vmName) {
        return findings(inventory.get(vmName));
    }

    public List<DriftFinding> findings(Vm vm) {
        List<DriftFinding> out = new ArrayList<>();
        String v = vm.name();
        for (Nic n : vm.nics()) {
            String nic = n.name();
            if (n.pendingMac() != null) {
                out.add(new DriftFinding(nic, DriftKind.PENDING_CHANGE, str(n.pendingMac()), str(n.mac()),
                        "restart the VM to apply the new MAC: POST /api/v1/vms/" + v + "/restart (vmaddr vm restart " + v
                                + "); a stopped VM applies it at its next start. The hypervisor must give the NIC "
                                + n.pendingMac() + " from then on (vmaddr vm export " + v + " --format libvirt|qemu|kubevirt)"));
            }
            Observation o = n.observed();
            if (o != null && o.mac() != null && !n.owns(o.mac()) && n.mac() != null) {
                String dev = o.interfaceName() != null ? o.interfaceName() : "IFACE";
                out.add(new DriftFinding(nic, DriftKind.MAC_CHANGED_IN_GUEST, str(n.mac()), str(o.mac()),
                        "the guest set " + o.mac() + " itself; the hypervisor still gives the NIC " + n.mac()
                                + " and filters on it, and the next boot brings it back. Either accept the guest's MAC: "
                                + "PUT /api/v1/vms/" + v + "/nics/" + nic + "/mac {\"mac\":\"" + o.mac() + "\"} (vmaddr nic set-mac "
                                + v + " " + nic + " " + o.mac() + ") and restart the VM, or undo it in the guest: ip link set dev "
                                + dev + " address " + n.mac()));
            }
            // QEMU's rx-filter sees MACs only: no address is not a mismatch there.
            if (o != null && n.ip() != null && !GuestReport.QEMU_RX_FILTER.equals(o.source())) {
                List<String> v4 = o.ips().stream().filter(ip -> ip.indexOf(':') < 0).toList();
                if (!v4.contains(n.ip().toString()) || squatsBesides(n, v4)) {
                    String dev = o.interfaceName() != null ? o.interfaceName() : "IFACE";
                    out.add(new DriftFinding(nic, DriftKind.IP_MISMATCH, n.ip().toString(),
                            v4.isEmpty() ? "none" : String.join(",", v4),
                            "the NIC's address is " + n.ip() + " (reserved for " + n.mac() + " in network " + n.network()
                                    + "); the guest uses " + (v4.isEmpty() ? "none" : String.join(",", v4))
                                    + (v4.isEmpty() ? "" : ", which vmaddr now keeps from every other client while the guest holds it")
                                    + ". Remove the static address from the guest's configuration (ip addr del ADDRESS dev " + dev
                                    + "; netplan, ifcfg or NetworkManager: method auto/dhcp) and let it take its own by DHCP: "
                                    + "dhclient -r " + dev + " && dhclient " + dev));
                }
            }
            // Without a MAC (given back while stopped) the NIC has no IPv6 address to compare with.
            if (o != null && n.mac() != null && o.ips().stream().anyMatch(ip -> ip.indexOf(':') >= 0)) {
                ipv6Finding(vm, n).ifPresent(out::add);
            }
            for (MacAddress m : new MacAddress[] {n.mac(), n.pendingMac()}) {
                Optional<String> carrier = inventory.carriedByHost(m);
                if (carrier.isPresent()) {
                    out.add(new DriftFinding(nic, DriftKind.MAC_CONFLICT, str(m), m + " is also carried by " + carrier.get(),
                            m + " is the NIC's " + (m.equals(n.mac()) ? "MAC" : "pending MAC") + ", and " + carrier.get()
                                    + " carries it too: two stations with one MAC on a segment lose each other's frames. Give the "
                                    + "NIC another MAC: PUT /api/v1/vms/" + v + "/nics/" + nic + "/mac {\"mac\":\"NEW\"} (vmaddr nic "
                                    + "set-mac " + v + " " + nic + " NEW) and restart the VM; or, if the other station is wrong, change "
                                    + "its MAC there: ip link set dev IFACE address NEW"));
                }
            }
            ReportSummary r = vm.report();
            if (r != null && r.missingNics().contains(nic)) {
                out.add(new DriftFinding(nic, DriftKind.NIC_MISSING, str(n.mac()), "absent from the " + r.source()
                        + " report of " + r.at(),
                        "check that the hypervisor gives the VM this NIC (vmaddr vm export " + v
                                + " --format libvirt) and the guest has a driver for it (virtio-net), or remove it: "
                                + "DELETE /api/v1/vms/" + v + "/nics/" + nic + " (vmaddr nic remove " + v + " " + nic + ")"));
            }
        }
        if (vm.report() != null) {
            for (GuestInterface g : vm.report().unknown()) {
                String where = g.interfaceName() != null ? g.interfaceName() : g.name();
                out.add(new DriftFinding(null, DriftKind.UNKNOWN_MAC, null, g.mac() + (where != null ? " on " + where : ""),
                        g.mac() + " belongs to no NIC of " + v + ". If the guest replaced a NIC's MAC, accept it: PUT /api/v1/vms/"
                                + v + "/nics/NIC/mac {\"mac\":\"" + g.mac() + "\"} and restart, or undo it in the guest; "
                                + "if it is an extra interface, add it as a NIC: vmaddr nic add " + v + " NAME --network NETWORK --mac "
                                + g.mac()));
            }
        }
        for (Source s : sources) {
            out.addAll(s.findings(vm));
        }
        announce(v, out);
        return out;
    }

    /** MACs that leased addresses on the network without belonging to any VM NIC. */
    public List<DriftFinding> networkFindings(String network) {
        List<DriftFinding> out = new ArrayList<>();
        for (UnknownMac u : inventory.unknownMacs(network)) {
            Ipv4Address ip = u.ip();
            out.add(new DriftFinding(null, DriftKind.UNKNOWN_MAC, null, u.mac() + " leased " + ip,
                    u.mac() + " took " + ip + " on network " + network + " at " + u.at() + " but belongs to no VM NIC: "
                            + "if a guest changed its MAC, accept it on that NIC (PUT /api/v1/vms/VM/nics/NIC/mac) and restart, "
                            + "or undo it in the guest; if it is a new VM's NIC, add it: vmaddr nic add VM NAME --network "
                            + network + " --mac " + u.mac()));
        }
        for (SharedClientId s : inventory.sharedClientIds(network)) {
            String macs = String.join(", ", s.macs().stream().map(Object::toString).toList());
            out.add(new DriftFinding(null, DriftKind.CLIENT_ID_SHARED, null,
                    "client-id " + s.clientId().hex() + " from " + macs + " on " + s.ip(),
                    "client-id " + s.clientId().hex() + " came from " + s.macs().size() + " MACs (" + macs + "), last at "
                            + s.lastSeen() + ": machines cloned or restored with one machine-id, which take " + s.ip()
                            + " from each other. In each clone give the machine a new identity: rm -f /etc/machine-id "
                            + "/var/lib/dbus/machine-id && systemd-machine-id-setup, remove the DHCP client's saved DUID and "
                            + "leases (/var/lib/dhcp/*, /var/lib/systemd/network/*, /var/lib/dhcpcd/*) and reboot; or key this "
                            + "network's leases by MAC alone: leaseKey: mac (PUT /api/v1/networks/" + network
                            + " with \"leaseKey\":\"mac\"). A VM made as a copy should have new MACs: POST /api/v1/vms "
                            + "{\"name\":\"NEW\",\"cloneOf\":\"VM\"}"));
        }
        announce("network/" + network, out);
        return out;
    }

    /** IPv6 {@code ip-mismatch} ({@link Ipv6Drift}): the NIC's view gives its DHCPv6 and SLAAC addresses. */
    private Optional<DriftFinding> ipv6Finding(Vm vm, Nic n) {
        NetworkSpec net;
        try {
            net = inventory.network(n.network());
        } catch (RuntimeException e) {
            return Optional.empty(); // the network went meanwhile
        }
        return Ipv6Drift.finding(inventory.view(vm, n.name()), net, ip -> inventory.dhcpv6BoundWithoutMac(n.network(), ip));
    }

    /** Whether the guest also uses another address of the NIC's network than its own (a second, static one). */
    private boolean squatsBesides(Nic n, List<String> v4) {
        NetworkSpec net;
        try {
            net = inventory.network(n.network());
        } catch (RuntimeException e) {
            return false; // the network went meanwhile
        }
        return v4.stream().map(Ipv4Address::parse).anyMatch(ip -> !ip.equals(n.ip()) && net.cidr().contains(ip));
    }

    private void announce(String subject, List<DriftFinding> findings) {
        Set<String> now = new HashSet<>();
        for (DriftFinding f : findings) {
            now.add(f.nic() + "|" + f.kind() + "|" + f.observed());
        }
        Set<String> before = previous.put(subject, now);
        for (DriftFinding f : findings) {
            if (before == null || !before.contains(f.nic() + "|" + f.kind() + "|" + f.observed())) {
                listener.detected(subject, f);
            }
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
