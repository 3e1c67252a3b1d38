package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.time.Instant;
import java.util.List;

/**
 * One client-id seen binding from several MACs in a network while its lease was live: two machines
 * with one machine-id (a clone or a restore, harvester#4474) that take one lease from each other.
 *
 * @param macs     the MACs it came from, oldest first
 * @param ip       the address they share (the lease's last one)
 * @param lastSeen when a MAC last took the lease from another
 */
public record SharedClientId(String network, ClientId clientId, List<MacAddress> macs, Ipv4Address ip, Instant lastSeen) {
    public SharedClientId {
        macs = List.copyOf(macs);
    }
}
