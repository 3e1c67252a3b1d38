package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Reservation;
import java.util.Objects;

/** A host entry (fixed address) read from another DHCP server's configuration: it becomes a reservation. */
public record ImportedHost(MacAddress mac, ClientId clientId, Ipv4Address ip, String hostname) {
    public ImportedHost {
        Objects.requireNonNull(ip, "ip");
        if (mac == null && clientId == null) {
            throw new IllegalArgumentException("a host entry needs a MAC or a client-id");
        }
    }

    public Reservation reservation() {
        return new Reservation(mac, clientId, ip, hostname);
    }
}
