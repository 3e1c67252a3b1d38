package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.model.Ipv6Mode;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.NetworkSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code ip-mismatch} for IPv6: global addresses a guest report shows on a NIC, inside the
 * network's {@code ipv6Prefix}, that the network did not give the NIC.
 *
 * <p>What the NIC may use: its DHCPv6 address (modes {@code stateful} and {@code both}) and its
 * EUI-64 SLAAC address. Link-local addresses ({@code fe80::/10}) and addresses outside the prefix
 * (a ULA, another uplink's prefix) are never drift: they are not this network's to hand out.
 *
 * <p>Privacy and stable-privacy addresses (RFC 8981 temporary, RFC 7217 {@code addr-gen-mode
 * stable-privacy}, the default of NetworkManager and systemd-networkd) are what SLAAC makes on most
 * guests, and a guest report carries no flag telling them from a static address. So where the
 * prefix is autonomous an unknown address in the prefix counts as such a self-made one: always on
 * {@code slaac} (vmaddr hands out no stateful address there that a static one could take), and on
 * {@code both} unless it lies in DHCPv6 space (an {@code ipv6Pools} range or another client's IPv6
 * reservation): a random 64-bit interface identifier lands there with negligible odds (at most 2^24
 * of 2^64), so an address there is configured by hand and takes a DHCPv6 client's address.
 * Where the prefix is not autonomous ({@code stateful}: the RA's A flag is off) every other address
 * in the prefix was configured in the guest and is drift. A DHCPv6 binding whose client sent no MAC
 * (DUID-EN, no relay) cannot be tied to a NIC, so its address is given the benefit of the doubt.
 */
final class Ipv6Drift {
    private Ipv6Drift() {}

    /**
     * The finding for {@code view}'s observed IPv6 addresses, if any is not the NIC's.
     *
     * @param boundWithoutMac whether an address is a DHCPv6 binding of a client whose MAC is unknown:
     *                        possibly this NIC's own, so never called foreign
     */
    static Optional<DriftFinding> finding(NicView view, NetworkSpec net, Predicate<Ipv6Address> boundWithoutMac) {
        Observation o = view.observed();
        if (o == null || net == null || net.ipv6Prefix() == null || GuestReport.QEMU_RX_FILTER.equals(o.source())) {
            return Optional.empty();
        }
        Set<Ipv6Address> own = new LinkedHashSet<>();
        if (view.ipv6() != null) {
            own.add(view.ipv6());
        }
        if (view.ipv6Slaac() != null) {
            own.add(view.ipv6Slaac());
        }
        List<Ipv6Address> foreign = new ArrayList<>();
        for (String text : o.ips()) {
            if (text.indexOf(':') < 0) {
                continue;
            }
            Ipv6Address a = Ipv6Address.parse(text);
            if (!net.ipv6Prefix().contains(a) || own.contains(a)) {
                continue; // link-local and other prefixes are outside the network's /64 by construction
            }
            boolean foreignHere = switch (net.ipv6Mode()) {
                case STATEFUL -> true;
                case BOTH -> inDhcpv6Space(net, a);
                case SLAAC -> false; // no stateful addresses handed out: nothing a static address could take
            };
            if (foreignHere && !boundWithoutMac.test(a)) {
                foreign.add(a);
            }
        }
        if (foreign.isEmpty()) {
            return Optional.empty();
        }
        String observed = String.join(",", foreign.stream().map(Ipv6Address::toString).toList());
        String expected = own.isEmpty() ? null : String.join(",", own.stream().map(Ipv6Address::toString).toList());
        String dev = o.interfaceName() != null ? o.interfaceName() : "IFACE";
        StringBuilder fix = new StringBuilder("the guest uses ").append(observed).append(" in ").append(net.ipv6Prefix())
                .append(" of network ").append(net.name()).append(", which vmaddr did not give NIC ").append(view.name());
        fix.append(own.isEmpty() ? " (it has no IPv6 address yet)" : " (its addresses: " + expected + ")");
        fix.append(net.ipv6Mode() == Ipv6Mode.STATEFUL ? ": the network is DHCPv6-only, so a static address there is drift"
                : ": the address lies in DHCPv6 space (ipv6Pools or another client's reservation), so it is configured by hand");
        fix.append(". Remove it from the guest's configuration (");
        foreign.forEach(a -> fix.append("ip -6 addr del ").append(a).append('/').append(net.ipv6Prefix().length())
                .append(" dev ").append(dev).append("; "));
        fix.append("netplan dhcp6: true, ifcfg DHCPV6C=yes or NetworkManager ipv6.method auto)");
        if (net.ipv6Mode().managed()) {
            fix.append(" and let it take its own by DHCPv6: dhclient -6 -r ").append(dev).append(" && dhclient -6 ").append(dev);
        }
        return Optional.of(new DriftFinding(view.name(), DriftKind.IP_MISMATCH, expected, observed, fix.toString()));
    }

    private static boolean inDhcpv6Space(NetworkSpec net, Ipv6Address a) {
        for (Ipv6Range r : net.ipv6Pools()) {
            if (r.contains(a)) {
                return true;
            }
        }
        for (Ipv6Reservation r : net.ipv6Reservations()) {
            if (a.equals(r.ip())) {
                return true; // not the NIC's own: own addresses were skipped before
            }
        }
        return false;
    }
}
