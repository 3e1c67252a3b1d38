package dev.vmaddr.dhcp.transport;

import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Optional;

/**
 * Interface lookups the DHCP server needs around the transport: the index of a configured bridge,
 * and the IPv4 address of the interface a request came in on (its server identifier, option 54).
 *
 * <p>Each call asks the kernel afresh (several syscalls); callers on the packet path should cache the
 * answer per ifindex and refresh it when interfaces change.
 */
public final class NetworkInterfaces {
    private NetworkInterfaces() {}

    /** The ifindex of the interface called {@code name}, if it exists. */
    public static Optional<Integer> indexOf(String name) throws SocketException {
        NetworkInterface nif = NetworkInterface.getByName(name);
        return nif == null ? Optional.empty() : Optional.of(nif.getIndex());
    }

    /** The name of the interface with index {@code ifIndex}, if it exists. */
    public static Optional<String> nameOf(int ifIndex) throws SocketException {
        NetworkInterface nif = NetworkInterface.getByIndex(ifIndex);
        return nif == null ? Optional.empty() : Optional.of(nif.getName());
    }

    /** The primary IPv4 address of the interface called {@code name}; empty if absent or none. */
    public static Optional<Inet4Address> primaryIpv4(String name) throws SocketException {
        return primaryIpv4(NetworkInterface.getByName(name));
    }

    /** The primary IPv4 address of the interface with index {@code ifIndex}; empty if absent or none. */
    public static Optional<Inet4Address> primaryIpv4(int ifIndex) throws SocketException {
        return primaryIpv4(NetworkInterface.getByIndex(ifIndex));
    }

    /**
     * The JDK lists an interface's addresses newest first (it prepends while walking
     * {@code getifaddrs}, which reports the primary address first), so the primary one is the last
     * IPv4 address in the list.
     */
    private static Optional<Inet4Address> primaryIpv4(NetworkInterface nif) {
        if (nif == null) {
            return Optional.empty();
        }
        Inet4Address primary = null;
        for (InterfaceAddress a : nif.getInterfaceAddresses()) {
            if (a.getAddress() instanceof Inet4Address v4) {
                primary = v4;
            }
        }
        return Optional.ofNullable(primary);
    }
}
