package dev.vmaddr.model;

import java.util.Locale;

/**
 * How a network's IPv6 hosts get addresses: SLAAC from router advertisements only, DHCPv6 (IA_NA)
 * only, or both. {@code stateful} and {@code both} set the RA's M flag.
 */
public enum Ipv6Mode {
    SLAAC, STATEFUL, BOTH;

    public static Ipv6Mode fromWireName(String s) {
        return switch (s) {
            case "slaac" -> SLAAC;
            case "stateful" -> STATEFUL;
            case "both" -> BOTH;
            default -> throw new IllegalArgumentException("must be slaac, stateful or both, not \"" + s + "\"");
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the prefix is offered for SLAAC (the RA prefix option's A flag). */
    public boolean autonomous() {
        return this != STATEFUL;
    }

    /** Whether DHCPv6 hands out addresses (the RA's M flag). */
    public boolean managed() {
        return this != SLAAC;
    }
}
