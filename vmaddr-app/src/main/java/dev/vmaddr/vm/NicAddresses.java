package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * How a NIC holds its address: a reservation (MAC → IP) in the network's spec, backed by a bound
 * lease for the same MAC.
 *
 * <p>Why a reservation and not only a dynamic lease: the address belongs to the NIC for as long as
 * the network's release policy says, however long the VM is stopped. A lease runs out when a
 * stopped VM does not renew it and the address would go to someone else; a reservation does not
 * run out, survives stop/start, host changes and live migration (two hosts briefly answering for
 * the same MAC ask for the same reserved address), and shows up in exported host lists (libvirt
 * {@code <dhcp><host/>}). The lease is taken first because the allocation engine is what picks a
 * free address without ever giving one address to two holders; the reservation then pins it.
 *
 * <p>A MAC that already has a reservation in the network (made by an operator in the config) gets
 * that address, and the NIC adopts the reservation: it is moved and removed with the NIC.
 *
 * <p>Concurrency: a network's spec is replaced whole, so adding or removing a reservation is a
 * read-modify-write, done through {@link VmIpam#reserve} and {@link VmIpam#editNetwork}, which the
 * network catalog serializes with every other edit of that network. Address choice itself is the
 * engine's and runs outside that, so creates on one network only queue for the short spec rewrite.
 */
final class NicAddresses {
    private final VmIpam ipam;

    NicAddresses(VmIpam ipam) {
        this.ipam = ipam;
    }

    NetworkSpec network(String name) {
        return ipam.network(name).orElseThrow(() -> VmException.notFound("network " + name));
    }

    java.util.Optional<NetworkSpec> networkIfPresent(String name) {
        return ipam.network(name);
    }

    /** The DHCPv6 address of {@code mac} on {@code network}, when IPAM has one ({@link VmIpam#dhcpv6Address}). */
    java.util.Optional<dev.vmaddr.addr.Ipv6Address> dhcpv6Address(String network, MacAddress mac) {
        return ipam.dhcpv6Address(network, mac);
    }

    /** A new address for {@code mac}, bound and reserved. */
    Ipv4Address reserve(String network, MacAddress mac, String hostname) {
        Ipv4Address ip = ipam.allocate(network, mac, null, hostname);
        try {
            // A reservation the operator made for this MAC is adopted as it is (its hostname kept).
            boolean adopted = network(network).reservations().stream().anyMatch(r -> ip.equals(r.ip()) && mac.equals(r.mac()));
            if (!adopted) {
                ipam.reserve(network, new Reservation(mac, null, ip, hostname));
            }
        } catch (RuntimeException e) {
            ipam.release(network, ip);
            throw e;
        }
        return ip;
    }

    /** The reservation of {@code ip} follows the NIC from {@code from} to {@code to}, and so does the lease. */
    void move(String network, Ipv4Address ip, MacAddress from, MacAddress to, String hostname) {
        rewrite(network, spec -> {
            List<Reservation> rs = new ArrayList<>();
            for (Reservation r : spec.reservations()) {
                if (ip.equals(r.ip()) && (from == null || from.equals(r.mac()))) {
                    continue;
                }
                rs.add(r);
            }
            rs.add(new Reservation(to, null, ip, hostname));
            return spec.withReservations(rs);
        });
        ipam.release(network, ip);
        ipam.allocate(network, to, ip, hostname);
    }

    /** Gives the address back: the reservation goes, the lease is released. */
    void unreserve(String network, Ipv4Address ip, MacAddress mac) {
        if (ipam.network(network).isEmpty()) {
            return; // the network and its leases are gone already
        }
        rewrite(network, spec -> {
            List<Reservation> rs = new ArrayList<>(spec.reservations());
            boolean removed = rs.removeIf(r -> ip.equals(r.ip()) && (mac == null || mac.equals(r.mac())));
            return removed ? spec.withReservations(rs) : null;
        });
        ipam.release(network, ip);
    }

    private void rewrite(String network, UnaryOperator<NetworkSpec> change) {
        ipam.editNetwork(network, change);
    }
}
