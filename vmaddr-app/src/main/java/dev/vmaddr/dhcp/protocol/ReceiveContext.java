package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.Ipv4Address;

/**
 * Where a request came from, as the transport saw it (IP_PKTINFO).
 *
 * @param interfaceName     the receiving interface (e.g. "br-lan0"); null when unknown
 * @param interfaceAddress  that interface's IPv4 address, the default server identifier; null when none
 * @param destination       the IP header's destination (255.255.255.255 for a broadcast, the server's
 *                          address for a unicast); null when unknown, which is read as unicast
 * @param source            the IP header's source (the relay for relayed requests); null when unknown
 */
public record ReceiveContext(String interfaceName, Ipv4Address interfaceAddress, Ipv4Address destination,
                             Ipv4Address source) {
    public static ReceiveContext broadcastOn(String interfaceName, Ipv4Address interfaceAddress) {
        return new ReceiveContext(interfaceName, interfaceAddress, Ipv4Address.BROADCAST, Ipv4Address.ANY);
    }

    public static ReceiveContext unicastOn(String interfaceName, Ipv4Address interfaceAddress, Ipv4Address source) {
        return new ReceiveContext(interfaceName, interfaceAddress, interfaceAddress, source);
    }

    public boolean receivedAsBroadcast() {
        return Ipv4Address.BROADCAST.equals(destination);
    }
}
