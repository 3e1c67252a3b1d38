package dev.vmaddr.model;

import dev.vmaddr.addr.MacAddress;
import java.util.Objects;

/**
 * Who holds a lease: the client-id when the client sent one, otherwise its hardware address
 * (RFC 2131 4.2). Exactly one of the two components is non-null.
 */
public record HolderKey(ClientId clientId, MacAddress mac) {
    public HolderKey {
        if ((clientId == null) == (mac == null)) {
            throw new IllegalArgumentException("a holder is a client-id or a MAC, exactly one");
        }
    }

    public static HolderKey of(ClientId clientId, MacAddress mac) {
        return clientId != null ? new HolderKey(clientId, null) : new HolderKey(null, mac);
    }

    // Written out, not generated: see MacAddress#equals for why.
    @Override
    public boolean equals(Object o) {
        return o instanceof HolderKey k && Objects.equals(k.clientId, clientId) && Objects.equals(k.mac, mac);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(clientId) + Objects.hashCode(mac);
    }

    @Override
    public String toString() {
        return clientId != null ? "id:" + clientId : "mac:" + mac;
    }
}
