package dev.vmaddr.ra;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Optional;

/**
 * What the IPv6 servers need to know about a host interface: its index (0 when absent), MAC and
 * IPv4 address (which network it serves). An interface so tests can run the servers over an
 * in-memory transport with made-up links.
 */
public interface Links {
    /** The interface {@code name} now, or empty when it does not exist. */
    Optional<Link> find(String name);

    /** One interface: {@code mac} and {@code ipv4} may be null. */
    record Link(String name, int index, MacAddress mac, Ipv4Address ipv4) {}

    /** The host's interfaces as the JDK sees them (each call asks the kernel). */
    Links HOST = name -> {
        try {
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                return Optional.empty();
            }
            byte[] hw = nif.getHardwareAddress();
            Ipv4Address v4 = null;
            for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                if (a.getAddress() instanceof Inet4Address i4) {
                    v4 = Ipv4Address.of(i4); // the last listed is the primary (see NetworkInterfaces)
                }
            }
            return Optional.of(new Link(name, nif.getIndex(), hw != null && hw.length == 6 ? MacAddress.fromBytes(hw, 0) : null, v4));
        } catch (SocketException e) {
            return Optional.empty();
        }
    };
}
