package dev.vmaddr.vm.export;

import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * libvirt XML: a VM's NICs as {@code <interface>} elements (inside {@code <devices>}, ready to merge
 * into a domain definition) and a network as a {@code <network>}.
 *
 * <p>A NIC on a network with a {@code bridge} is {@code type='bridge'} on that bridge; on a network
 * without one it is {@code type='network'} naming the libvirt network of the same name, which is
 * what {@link #network} exports, so the two exports fit together either way.
 *
 * <p>A network is exported for one of three jobs ({@link NetworkMode}), because the wrong one breaks
 * DHCP: for a bridge vmaddr serves, libvirt must only attach VMs to it ({@code <forward mode='bridge'/>},
 * no {@code <ip>}, no {@code <dhcp>}: otherwise libvirt starts its own dnsmasq next to vmaddr); for a
 * network libvirt manages itself (NAT or isolated), libvirt's dnsmasq hands out the same addresses as
 * vmaddr ({@code <dhcp><range/>} per pool piece and {@code <host mac ip name/>} per reservation, VM
 * NICs included). With an {@code ipv6Prefix} the host gets {@code ::1} on it, and for {@code ipv6Mode}
 * {@code stateful}/{@code both} with {@code ipv6Pools} libvirt's dnsmasq serves those pools by DHCPv6.
 */
public final class LibvirtExport {
    private LibvirtExport() {}

    /** Which job the exported {@code <network>} does; {@code ?mode=} of the network export. */
    public enum NetworkMode {
        /** vmaddr serves DHCP on the bridge; libvirt only attaches VMs to it. */
        BRIDGE,
        /** libvirt manages the bridge, NATs to the host's uplink and runs dnsmasq with vmaddr's addresses. */
        NAT,
        /** As NAT without {@code <forward>}: no way out of the network. */
        ISOLATED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static NetworkMode fromWireName(String s) {
            for (NetworkMode m : values()) {
                if (m.wireName().equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("mode must be bridge, nat or isolated, not \"" + s + "\"");
        }
    }

    /** {@code <devices>} with one {@code <interface>} per NIC, in NIC order. */
    public static String domainInterfaces(Vm vm, Function<String, NetworkSpec> networks) {
        Document doc = Xml.newDocument();
        Element devices = Xml.child(doc, "devices");
        for (Nic nic : vm.nics()) {
            NetworkSpec net = NicSource.network(networks, nic);
            boolean bridged = net.bridge() != null && !net.bridge().isBlank();
            Element itf = Xml.child(devices, "interface", "type", bridged ? "bridge" : "network");
            Xml.child(itf, "mac", "address", NicSource.mac(vm, nic));
            // Without a bridge the NIC joins the libvirt network of the same name (the network export).
            Xml.child(itf, "source", bridged ? "bridge" : "network", bridged ? net.bridge() : net.name());
            if (net.vlan() != null) {
                // Honoured by Open vSwitch bridges; a Linux bridge needs the VLAN interface as the bridge.
                Xml.child(Xml.child(itf, "vlan"), "tag", "id", net.vlan());
            }
            Xml.child(itf, "model", "type", "virtio");
            if (net.mtu() != null) {
                Xml.child(itf, "mtu", "size", net.mtu());
            }
            // libvirt keeps user aliases ("ua-" prefix), so the NIC name survives into the live XML.
            Xml.child(itf, "alias", "name", "ua-" + nic.name());
            if (nic.pendingMac() != null) {
                Xml.comment(itf, "pending MAC " + nic.pendingMac() + " replaces " + nic.mac() + " at the next restart");
            }
        }
        return Xml.write(doc);
    }

    /**
     * The network as libvirt defines it for {@code mode}. Bridge mode needs the network's bridge; NAT and
     * isolated give the bridge (if named) the gateway address and carry vmaddr's pools and reservations.
     */
    public static String network(NetworkSpec net, NetworkMode mode) {
        if (mode == NetworkMode.BRIDGE) {
            return bridgeNetwork(net);
        }
        if (net.gateway() == null) {
            throw new ExportException("network " + net.name() + " has no gateway: libvirt gives the bridge that address");
        }
        Document doc = Xml.newDocument();
        Element root = Xml.child(doc, "network");
        Xml.text(Xml.child(root, "name"), net.name());
        if (mode == NetworkMode.NAT) {
            Xml.child(root, "forward", "mode", "nat");
        }
        if (net.bridge() != null && !net.bridge().isBlank()) {
            Element br = Xml.child(root, "bridge", "name", net.bridge());
            br.setAttribute("stp", "on");
            br.setAttribute("delay", "0");
        }
        if (net.mtu() != null) {
            Xml.child(root, "mtu", "size", net.mtu());
        }
        if (net.domain() != null) {
            Xml.child(root, "domain", "name", net.domain());
        }
        if (!net.dns().isEmpty()) {
            Element dns = Xml.child(root, "dns");
            net.dns().forEach(a -> Xml.child(dns, "forwarder", "addr", a));
        }
        Element ip = Xml.child(root, "ip", "address", net.gateway());
        ip.setAttribute("netmask", net.cidr().netmask().toString());
        Element dhcp = Xml.child(ip, "dhcp");
        for (Ipv4Range r : ranges(net)) {
            Element range = Xml.child(dhcp, "range", "start", r.first());
            range.setAttribute("end", r.last().toString());
        }
        List<Reservation> hosts = new ArrayList<>(net.reservations());
        hosts.sort(Comparator.comparing(Reservation::ip));
        for (Reservation r : hosts) {
            if (r.mac() == null) {
                Xml.comment(dhcp, "reservation of " + r.ip() + " for client-id " + r.clientId()
                        + " left out: libvirt matches DHCPv4 hosts by MAC only");
                continue;
            }
            Element h = Xml.child(dhcp, "host", "mac", r.mac());
            h.setAttribute("ip", r.ip().toString());
            if (r.hostname() != null) {
                h.setAttribute("name", r.hostname());
            }
        }
        if (net.ipv6Prefix() != null) {
            // The host's own address on the prefix, ::1; libvirt then advertises the prefix (SLAAC).
            Ipv6Address host = new Ipv6Address(net.ipv6Prefix().network().high(), net.ipv6Prefix().network().low() | 1);
            Element v6 = Xml.child(root, "ip", "family", "ipv6");
            v6.setAttribute("address", host.toString());
            v6.setAttribute("prefix", String.valueOf(net.ipv6Prefix().length()));
            if (net.ipv6Mode().managed() && !net.ipv6Pools().isEmpty()) {
                dhcpv6(net, v6);
            }
        }
        return Xml.write(doc);
    }

    /**
     * libvirt's dnsmasq serves DHCPv6 on the prefix: one {@code <range>} per {@code ipv6Pools} range
     * and a {@code <host id ip name/>} per reservation by DUID. libvirt matches IPv6 hosts by DUID or
     * name only, so reservations by MAC are left out (said in a comment); and dnsmasq then advertises
     * the prefix for DHCPv6 only (no A flag), so {@code ipv6Mode: both} loses its SLAAC addresses there.
     */
    private static void dhcpv6(NetworkSpec net, Element v6) {
        if (net.ipv6Mode() == Ipv6Mode.BOTH) {
            Xml.comment(v6, "ipv6Mode both: libvirt's dnsmasq advertises a DHCPv6 range without the autonomous flag,"
                    + " so guests here take DHCPv6 addresses only, no SLAAC ones");
        }
        Element dhcp = Xml.child(v6, "dhcp");
        List<Ipv6Range> pools = new ArrayList<>(net.ipv6Pools());
        pools.sort(Comparator.comparing((Ipv6Range r) -> r.first().high())
                .thenComparing(r -> r.first().low(), Long::compareUnsigned));
        for (Ipv6Range r : pools) {
            Element range = Xml.child(dhcp, "range", "start", r.first());
            range.setAttribute("end", r.last().toString());
        }
        for (Ipv6Reservation r : net.ipv6Reservations()) {
            if (r.duid() == null) {
                Xml.comment(dhcp, "reservation of " + r.ip() + " for MAC " + r.mac()
                        + " left out: libvirt matches DHCPv6 hosts by DUID or name only");
                continue;
            }
            Element h = Xml.child(dhcp, "host", "id", r.duid());
            if (r.hostname() != null) {
                h.setAttribute("name", r.hostname());
            }
            h.setAttribute("ip", r.ip().toString());
        }
    }

    /** An existing host bridge (vmaddr serves its DHCP): libvirt attaches VMs and leaves addresses alone. */
    private static String bridgeNetwork(NetworkSpec net) {
        if (net.bridge() == null || net.bridge().isBlank()) {
            throw new ExportException("network " + net.name() + " has no bridge: mode=bridge needs the host bridge vmaddr"
                    + " serves (bridge:), or export it with mode=nat for libvirt to manage");
        }
        Document doc = Xml.newDocument();
        Element root = Xml.child(doc, "network");
        Xml.text(Xml.child(root, "name"), net.name());
        Xml.child(root, "forward", "mode", "bridge");
        Xml.child(root, "bridge", "name", net.bridge());
        // No <mtu>: libvirt refuses it in bridge mode (the bridge's own MTU applies; NICs carry theirs).
        Xml.comment(root, "vmaddr serves DHCP on " + net.bridge() + ": no ip/dhcp elements, so libvirt starts no dnsmasq here");
        return Xml.write(doc);
    }

    /** The pools with excluded addresses cut out, as libvirt has no exclusions. */
    static List<Ipv4Range> ranges(NetworkSpec net) {
        List<Ipv4Range> out = new ArrayList<>();
        for (Ipv4Range pool : net.pools()) {
            List<Ipv4Range> pieces = new ArrayList<>(List.of(pool));
            for (Ipv4Range ex : net.exclude()) {
                List<Ipv4Range> next = new ArrayList<>();
                for (Ipv4Range p : pieces) {
                    if (!p.overlaps(ex)) {
                        next.add(p);
                        continue;
                    }
                    if (p.first().compareTo(ex.first()) < 0) {
                        next.add(new Ipv4Range(p.first(), ex.first().plus(-1)));
                    }
                    if (p.last().compareTo(ex.last()) > 0) {
                        next.add(new Ipv4Range(ex.last().plus(1), p.last()));
                    }
                }
                pieces = next;
            }
            out.addAll(pieces);
        }
        out.sort(Comparator.comparing(Ipv4Range::first));
        return out;
    }
}
