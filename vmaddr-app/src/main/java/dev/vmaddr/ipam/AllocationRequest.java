package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import java.time.Duration;
import java.util.Objects;

/**
 * What a client (DHCP) or caller (API) asks for.
 *
 * @param clientId    nullable; when present it identifies the holder (RFC 2131 4.2)
 * @param requestedIp nullable; option 50 or the API's requested address
 * @param hostname    nullable
 * @param leaseTime   nullable: the network's lease time
 */
public record AllocationRequest(MacAddress mac, ClientId clientId, Ipv4Address requestedIp, String hostname,
                                Duration leaseTime) {
    public AllocationRequest {
        Objects.requireNonNull(mac, "mac");
        if (leaseTime != null && (leaseTime.isNegative() || leaseTime.isZero())) {
            throw new IllegalArgumentException("leaseTime must be positive, not " + leaseTime);
        }
    }

    public static AllocationRequest of(MacAddress mac) {
        return new AllocationRequest(mac, null, null, null, null);
    }

    public AllocationRequest withRequestedIp(Ipv4Address ip) {
        return new AllocationRequest(mac, clientId, ip, hostname, leaseTime);
    }

    public HolderKey holder() {
        return HolderKey.of(clientId, mac);
    }
}
