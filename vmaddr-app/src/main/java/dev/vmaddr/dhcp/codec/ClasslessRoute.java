package dev.vmaddr.dhcp.codec;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import java.util.Objects;

/** One entry of option 121 (RFC 3442): a destination prefix and the router to reach it. */
public record ClasslessRoute(Ipv4Prefix destination, Ipv4Address router) {
    public ClasslessRoute {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(router, "router");
    }

    public static ClasslessRoute defaultVia(Ipv4Address router) {
        return new ClasslessRoute(new Ipv4Prefix(Ipv4Address.ANY, 0), router);
    }

    /** Encoded size: one width byte, the significant destination octets, four router octets. */
    int encodedLength() {
        return 1 + significantOctets() + 4;
    }

    int significantOctets() {
        return (destination.length() + 7) / 8;
    }
}
