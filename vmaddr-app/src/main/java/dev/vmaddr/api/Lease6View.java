package dev.vmaddr.api;

import dev.vmaddr.model.Lease6;
import java.time.format.DateTimeFormatter;

/**
 * A DHCPv6 lease as the API and {@code vmaddr lease list} print it: the IPv4 lease's fields with an
 * IPv6 {@code ip}, the client's {@code duid} (hex, colon-separated) and IAID; {@code mac} null when
 * neither the DUID nor a relay gives one (PRODUCT.md "IPv6").
 */
public record Lease6View(String ip, String mac, String network, String state, String duid, long iaid, String hostname,
                         String expiresAt, String updatedAt) {
    public static Lease6View of(Lease6 l) {
        return new Lease6View(l.ip().toString(), l.mac() == null ? null : l.mac().toString(), l.network(),
                l.state().wireName(), l.duid().toString(), l.iaid(), l.hostname(),
                DateTimeFormatter.ISO_INSTANT.format(l.expiresAt()), DateTimeFormatter.ISO_INSTANT.format(l.updatedAt()));
    }
}
