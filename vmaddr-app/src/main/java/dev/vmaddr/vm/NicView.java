package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;

/**
 * A NIC as the API and CLI show it: spec, pending and observed side by side, plus the EUI-64 SLAAC
 * address when the network has an IPv6 /64 prefix, and the DHCPv6 address ({@code ipv6}) when the
 * network's {@code ipv6Mode} is {@code stateful} or {@code both} and the MAC has a binding or a
 * reservation.
 */
public record NicView(String name, String network, MacAddress mac, MacAddress pendingMac, Ipv4Address ip,
                      Ipv6Address ipv6Slaac, Ipv6Address ipv6, Observation observed) {}
