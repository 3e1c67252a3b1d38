package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;

/** A MAC that leased an address on a network without belonging to any VM NIC. */
public record UnknownMac(String network, MacAddress mac, Ipv4Address ip, Instant at) {}
