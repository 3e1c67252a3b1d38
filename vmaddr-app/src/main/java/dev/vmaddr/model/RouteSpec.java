package dev.vmaddr.model;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;

/**
 * How a network's connectivity is checked, as Harvester's {@code network.harvesterhci.io/route}
 * annotation: {@code manual} with a CIDR and gateway, or {@code auto} (learned by DHCP).
 */
public record RouteSpec(Mode mode, Ipv4Prefix cidr, Ipv4Address gateway) {
    public enum Mode { AUTO, MANUAL }

    public static final RouteSpec AUTO = new RouteSpec(Mode.AUTO, null, null);

    public RouteSpec {
        if (mode == Mode.MANUAL && (cidr == null || gateway == null)) {
            throw new IllegalArgumentException("route mode manual needs cidr and gateway");
        }
    }
}
