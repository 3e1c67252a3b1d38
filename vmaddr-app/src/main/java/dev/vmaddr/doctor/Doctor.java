package dev.vmaddr.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.connectivity.DhcpOffer;
import dev.vmaddr.connectivity.NetworkProbe.ProbeSession;
import dev.vmaddr.connectivity.NetworkProbe;
import dev.vmaddr.connectivity.ProbeException;
import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.hostnet.Link;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

import static dev.vmaddr.doctor.Finding.Severity.ERROR;
import static dev.vmaddr.doctor.Finding.Severity.INFO;
import static dev.vmaddr.doctor.Finding.Severity.WARNING;

/**
 * Host-side diagnosis of VM networks (seed 004). Reads host state with read-only commands
 * ({@code ip -j -d link}, {@code ip -j addr}, {@code bridge -j vlan}, {@code sysctl -n}, {@code nft -j list
 * ruleset} / {@code iptables-save}); the network-side checks (DHCP servers, duplicate addresses, gateway,
 * path MTU) run from a short-lived probe namespace attached to the bridge, which is deleted afterwards,
 * so no setting of the host is changed. Checks that cannot mean anything (probing a bridge that is
 * down, or whose STP delay holds a new port for tens of seconds) are skipped and said so.
 */
public final class Doctor {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** DF echo payloads tried below the configured MTU (IPv4 + ICMP headers are 28 bytes). */
    private static final int[] PMTU_STEPS = {1472, 1452, 1422, 1372, 1252, 1000, 548};

    private final CommandRunner root;
    private final RandomGenerator random;
    private final String probePrefix;

    public Doctor(CommandRunner root, RandomGenerator random, String probePrefix) {
        this.root = root;
        this.random = random;
        this.probePrefix = probePrefix;
    }

    public DoctorReport run(List<NetworkSpec> networks, DoctorOptions options) {
        CommandRunner run = root.inNetns(options.netns());
        List<Finding> out = new ArrayList<>();
        Optional<FirewallInspector> firewall;
        try {
            firewall = FirewallInspector.read(run);
        } catch (IOException e) {
            firewall = Optional.empty();
            out.add(new Finding("probe-failed", INFO, null, "cannot read the packet filter: " + e.getMessage(), null));
        }
        if (firewall.isPresent()) {
            for (FirewallInspector.Hit h : firewall.get().dhcpDrops()) {
                out.add(new Finding("firewall-dhcp", ERROR, null, "a rule drops DHCP (UDP 67/68): " + h.evidence(), h.fix()));
            }
        }
        for (NetworkSpec n : networks) {
            try {
                checkNetwork(n, run, options, firewall, out);
            } catch (IOException | RuntimeException e) {
                out.add(new Finding("probe-failed", WARNING, n.name(), "checks stopped: " + e.getMessage(), null));
            }
        }
        checkInventory(options, out);
        return new DoctorReport(out);
    }

    private void checkNetwork(NetworkSpec n, CommandRunner run, DoctorOptions options, Optional<FirewallInspector> firewall,
                              List<Finding> out) throws IOException {
        String br = n.bridge();
        // Served through relays: no bridge on this host is normal, and rp_filter is where relayed DHCP dies.
        boolean relayed = !n.relays().isEmpty() || br == null && options.vmaddrServed().contains(n.name());
        if (relayed) {
            ReversePathFilter.relayed(n, run, out);
        }
        if (br == null) {
            if (!relayed) {
                out.add(new Finding("bridge-missing", WARNING, n.name(), "the network names no bridge (host interface)",
                        "set bridge: <interface> on network " + n.name()));
            }
            return;
        }
        List<Link> links = Link.list(run);
        Optional<Link> found = links.stream().filter(l -> l.name().equals(br)).findFirst();
        if (found.isEmpty()) {
            out.add(new Finding("bridge-missing", ERROR, n.name(), br + " does not exist (ip -j -d link show)",
                    "ip link add name " + br + " type bridge stp_state 0 forward_delay 0 && ip link set dev " + br + " up"));
            return;
        }
        Link bridge = found.get();
        List<Link> ports = links.stream().filter(l -> br.equals(l.master())).toList();
        boolean probeable = true;
        if (!bridge.adminUp()) {
            out.add(new Finding("bridge-down", ERROR, n.name(), br + " is administratively down (flags lack UP)",
                    "ip link set dev " + br + " up"));
            probeable = false;
        } else if (bridge.isBridge() && ports.isEmpty()) {
            out.add(new Finding("bridge-down", ERROR, n.name(), br + " has no ports: nothing connects it to the network",
                    "ip link set dev <uplink> master " + br));
            probeable = false;
        }
        List<String> downPorts = ports.stream().filter(p -> !p.operUp())
                .map(p -> p.name() + " (" + (p.adminUp() ? "operstate " + p.operState() : "admin down") + ")").toList();
        if (!downPorts.isEmpty()) {
            out.add(new Finding("port-down", WARNING, n.name(), "ports of " + br + " not up: " + String.join(", ", downPorts),
                    ports.stream().filter(p -> !p.operUp()).map(p -> "ip link set dev " + p.name() + " up")
                            .collect(Collectors.joining(" && "))));
        }
        if (bridge.isBridge() && bridge.stpState() != null && bridge.stpState() != 0 && bridge.forwardDelayCs() >= 200) {
            double fd = bridge.forwardDelayCs() / 100.0;
            out.add(new Finding("stp-forward-delay", WARNING, n.name(), String.format(java.util.Locale.ROOT,
                    "%s: stp_state %d, forward_delay %.1f s: a new VM port forwards only after %.0f s, so its first DHCP DISCOVERs are lost",
                    br, bridge.stpState(), fd, 2 * fd),
                    "ip link set dev " + br + " type bridge stp_state 0 && ip link set dev " + br + " type bridge forward_delay 0"));
            probeable = false;
        }
        checkMtu(n, bridge, ports, out);
        if (n.vlan() != null && bridge.isBridge() && bridge.vlanFiltering()) {
            Set<String> carrying = vlanPorts(run, n.vlan());
            if (ports.stream().noneMatch(p -> carrying.contains(p.name()))) {
                String uplink = ports.isEmpty() ? "<uplink>" : ports.getFirst().name();
                out.add(new Finding("vlan-missing", ERROR, n.name(), br + " filters VLANs but no port carries vlan " + n.vlan()
                        + " (bridge -j vlan show)", "bridge vlan add dev " + uplink + " vid " + n.vlan()));
                probeable = false;
            }
        }
        List<Ipv4Prefix> hostAddrs = addresses(run, br);
        boolean routed = !hostAddrs.isEmpty() || !n.relays().isEmpty();
        boolean nat = options.natNetworks().contains(n.name())
                || n.gateway() != null && hostAddrs.stream().anyMatch(p -> p.network().equals(n.gateway()));
        if (nat) {
            String fwd = sysctl(run, "net.ipv4.ip_forward");
            if (!"1".equals(fwd)) {
                out.add(new Finding("ip-forward", ERROR, n.name(), "NAT network (the host holds gateway " + n.gateway()
                        + " on " + br + ") but net.ipv4.ip_forward = " + fwd, "sysctl -w net.ipv4.ip_forward=1"));
            }
            if (firewall.isPresent() && !firewall.get().masquerades(n.cidr())) {
                out.add(new Finding("nat-masquerade", ERROR, n.name(), "no masquerade rule covers " + n.cidr() + " ("
                        + firewall.get().source + ")", "nft add table ip vmaddr && nft add chain ip vmaddr postrouting "
                        + "'{ type nat hook postrouting priority srcnat; }' && nft add rule ip vmaddr postrouting ip saddr "
                        + n.cidr() + " ip daddr != " + n.cidr() + " masquerade"));
            }
            if (firewall.isPresent()) {
                for (FirewallInspector.Hit h : firewall.get().forwardDrops(br, n.cidr())) {
                    out.add(new Finding("firewall-forward", ERROR, n.name(), h.evidence(), h.fix()));
                }
            }
        }
        if (routed && !relayed) {
            ReversePathFilter.bridge(n, run, br, out);
        }
        if (!options.probes()) {
            return;
        }
        if (!probeable) {
            out.add(new Finding("probe-skipped", INFO, n.name(), "DHCP, ARP and path-MTU probes skipped until the above is fixed", null));
            return;
        }
        probe(n, bridge, run, hostAddrs, options, out);
    }

    private void checkMtu(NetworkSpec n, Link bridge, List<Link> ports, List<Finding> out) {
        List<String> evidence = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        int want = n.mtu() != null ? n.mtu() : bridge.mtu();
        if (n.mtu() != null && bridge.mtu() != n.mtu()) {
            evidence.add(bridge.name() + " mtu " + bridge.mtu() + " but network " + n.name() + " says mtu " + n.mtu());
            fixes.add("ip link set dev " + bridge.name() + " mtu " + n.mtu());
        }
        for (Link p : ports) {
            if (p.mtu() != want) {
                evidence.add("port " + p.name() + " mtu " + p.mtu() + " vs " + want);
                fixes.add("ip link set dev " + p.name() + " mtu " + want);
            }
        }
        if (!evidence.isEmpty()) {
            out.add(new Finding("mtu-mismatch", WARNING, n.name(), String.join("; ", evidence)
                    + " (DHCP option 26 tells VMs " + want + ")", String.join(" && ", fixes)));
        }
    }

    private void probe(NetworkSpec n, Link bridge, CommandRunner run, List<Ipv4Prefix> hostAddrs, DoctorOptions options,
                       List<Finding> out) {
        NetworkProbe probe = new NetworkProbe(run, random, probePrefix);
        try (ProbeSession s = probe.open(bridge, n.vlan())) {
            List<Ipv4Address> expected = options.vmaddrServed().contains(n.name())
                    ? hostAddrs.stream().map(Ipv4Prefix::network).toList()
                    : !n.dhcpServers().isEmpty() ? n.dhcpServers() : n.gateway() == null ? List.of() : List.of(n.gateway());
            for (DhcpOffer o : s.dhcpDiscover(options.dhcpWindow(), false)) {
                boolean outside = !n.cidr().contains(o.yiaddr());
                if (!expected.contains(o.server()) || outside) {
                    List<MacAddress> macs = s.arp(o.server(), 2);
                    String who = macs.isEmpty() ? "" : " (MAC " + macs.stream().map(Object::toString).collect(Collectors.joining(", ")) + ")";
                    out.add(new Finding("rogue-dhcp", ERROR, n.name(), "DHCP server " + o.server() + who + " offered " + o.yiaddr()
                            + (outside ? ", outside " + n.cidr() : "") + "; expected servers: " + expected,
                            "find and stop it; meanwhile drop its replies: nft add table bridge vmaddr && nft add chain bridge vmaddr "
                                    + "forward '{ type filter hook forward priority 0; }' && nft add rule bridge vmaddr forward "
                                    + (macs.isEmpty() ? "ip saddr " + o.server() : "ether saddr " + macs.getFirst())
                                    + " udp sport 67 drop"));
                }
            }
            if (n.gateway() == null) {
                return;
            }
            List<MacAddress> gwMacs = s.arp(n.gateway(), 2);
            if (gwMacs.isEmpty()) {
                out.add(new Finding("gateway-unreachable", ERROR, n.name(), "no ARP reply from gateway " + n.gateway() + " on " + bridge.name(),
                        "check the gateway's interface and VLAN; on the host: arping -I " + bridge.name() + " " + n.gateway()));
                return;
            }
            if (gwMacs.size() > 1) {
                out.add(new Finding("duplicate-ip", ERROR, n.name(), "gateway " + n.gateway() + " answered ARP from " + gwMacs.size()
                        + " MACs: " + gwMacs, "find the device that is not the router (bridge fdb show br " + bridge.name()
                        + " | grep -i <mac>) and change its address"));
            }
            checkNicAddresses(n, s, options, out);
            Set<Ipv4Address> checked = new LinkedHashSet<>(List.of(n.gateway()));
            options.inventory().stream().map(DoctorOptions.KnownNic::ip).filter(java.util.Objects::nonNull).forEach(checked::add);
            DuplicateAddressScan.scan(n, s, bridge.name(), checked, options.scanCidr(), out);
            pathMtu(n, bridge, s, out);
        } catch (ProbeException e) {
            out.add(new Finding("probe-failed", WARNING, n.name(), e.getMessage(), null));
        }
    }

    private void checkNicAddresses(NetworkSpec n, ProbeSession s, DoctorOptions options, List<Finding> out) {
        Map<MacAddress, DoctorOptions.KnownNic> byMac = options.inventory().stream()
                .collect(Collectors.toMap(DoctorOptions.KnownNic::mac, k -> k, (a, b) -> a));
        for (DoctorOptions.KnownNic nic : options.inventory()) {
            if (nic.ip() == null || !n.cidr().contains(nic.ip())) {
                continue;
            }
            for (MacAddress mac : s.arp(nic.ip(), 2)) {
                if (mac.equals(nic.mac())) {
                    continue;
                }
                DoctorOptions.KnownNic other = byMac.get(mac);
                if (other != null) {
                    out.add(new Finding("duplicate-mac", ERROR, n.name(), nic.ip() + " (" + nic.owner() + ", " + nic.mac()
                            + ") answered ARP with MAC " + mac + ", which the inventory gives to " + other.owner(),
                            "give one of the NICs a new MAC: vmaddr nic set-mac (next restart applies it)"));
                } else {
                    out.add(new Finding("duplicate-ip", ERROR, n.name(), nic.ip() + " belongs to " + nic.owner() + " (" + nic.mac()
                            + ") but MAC " + mac + " also answers ARP for it", "find the device with MAC " + mac
                            + " and remove " + nic.ip() + " from it"));
                }
            }
        }
    }

    private void pathMtu(NetworkSpec n, Link bridge, ProbeSession s, List<Finding> out) throws ProbeException {
        int mtu = Math.min(n.mtu() != null ? n.mtu() : bridge.mtu(), bridge.mtu());
        Ipv4Address src = null;
        for (Ipv4Address c = n.cidr().broadcast().plus(-1); src == null && n.cidr().contains(c)
                && !n.cidr().isNetworkOrBroadcast(c) && c.compareTo(n.cidr().broadcast().plus(-4)) >= 0; c = c.plus(-1)) {
            if (!c.equals(n.gateway()) && !s.inUse(c)) {
                src = c;
            }
        }
        if (src == null) {
            return;
        }
        s.addAddress(src, n.cidr().length());
        if (s.ping(n.gateway(), 1, mtu - 28)) {
            return;
        }
        if (!s.ping(n.gateway(), 2, null)) {
            return; // the gateway ignores ICMP altogether; no path-MTU evidence either way
        }
        for (int size : PMTU_STEPS) {
            if (size < mtu - 28 && s.ping(n.gateway(), 1, size)) {
                out.add(new Finding("path-mtu", WARNING, n.name(), "DF echo to " + n.gateway() + " with " + (mtu - 28)
                        + " bytes payload (mtu " + mtu + ") gets no reply, " + size + " bytes does: the path MTU is below "
                        + mtu, "lower the network's mtu to " + (size + 28) + " (DHCP option 26) or raise the MTU on the path"));
                return;
            }
        }
    }

    private void checkInventory(DoctorOptions options, List<Finding> out) {
        Map<MacAddress, List<DoctorOptions.KnownNic>> byMac = options.inventory().stream()
                .collect(Collectors.groupingBy(DoctorOptions.KnownNic::mac));
        byMac.forEach((mac, nics) -> {
            if (nics.size() > 1) {
                out.add(new Finding("duplicate-mac", ERROR, null, "inventory gives " + mac + " to " + nics.stream()
                        .map(DoctorOptions.KnownNic::owner).collect(Collectors.joining(", ")),
                        "give all but one a new MAC from the pool"));
            }
        });
    }

    private static Set<String> vlanPorts(CommandRunner run, int vlan) throws IOException {
        CommandResult r = run.run("bridge", "-j", "vlan", "show");
        Set<String> out = new LinkedHashSet<>();
        if (!r.ok()) {
            return out;
        }
        for (JsonNode port : JSON.readTree(r.stdout())) {
            for (JsonNode v : port.path("vlans")) {
                int from = v.path("vlan").asInt();
                int to = v.has("vlanEnd") ? v.get("vlanEnd").asInt() : from;
                if (vlan >= from && vlan <= to) {
                    out.add(port.path("ifname").asText());
                }
            }
        }
        return out;
    }

    private static List<Ipv4Prefix> addresses(CommandRunner run, String dev) throws IOException {
        CommandResult r = run.run("ip", "-j", "-4", "addr", "show", "dev", dev);
        List<Ipv4Prefix> out = new ArrayList<>();
        if (!r.ok()) {
            return out;
        }
        for (JsonNode link : JSON.readTree(r.stdout())) {
            for (JsonNode a : link.path("addr_info")) {
                // Kept as address/32-style prefix of the host address itself (network() = the address).
                out.add(new Ipv4Prefix(Ipv4Address.parse(a.path("local").asText()), 32));
            }
        }
        return out;
    }

    /** The value of sysctl {@code key}, or "?" when it cannot be read. */
    static String sysctl(CommandRunner run, String key) {
        CommandResult r = run.run("sysctl", "-n", key);
        return r.ok() ? r.stdout().strip() : "?";
    }
}
