package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;

/**
 * A NIC as the API and CLI show it: spec, pending and observed side by side, plus the EUI-64 SLAAC
 * address when the network has an IPv6 /64 prefix.
 */
public record NicView(String name, String network, MacAddress mac, MacAddress pendingMac, Ipv4Address ip,
                      Ipv6Address ipv6Slaac, Observation observed) {}
