package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.time.Instant;
import java.util.Objects;

/** An active lease read from another DHCP server's file: it becomes a bound lease until {@code expiresAt}. */
public record ImportedLease(Ipv4Address ip, MacAddress mac, ClientId clientId, String hostname, Instant expiresAt) {
    public ImportedLease {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
