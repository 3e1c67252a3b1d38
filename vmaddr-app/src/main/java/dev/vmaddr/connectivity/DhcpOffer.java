package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;

/**
 * A DHCPOFFER as the probe saw it.
 *
 * @param server   option 54 (server identifier), else the UDP source address
 * @param yiaddr   the offered address
 * @param cidr     the network derived from yiaddr and option 1; null when the server sent no mask
 * @param router   first address of option 3; null when absent
 */
public record DhcpOffer(Ipv4Address server, Ipv4Address yiaddr, Ipv4Prefix cidr, Ipv4Address router) {}
