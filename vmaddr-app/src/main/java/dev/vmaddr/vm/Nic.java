package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.util.Objects;

/**
 * One network interface of a VM, the unit that owns a MAC and an address (owner string
 * {@code vm/<vm>/<nic>}).
 *
 * @param mac        the spec MAC: what the hypervisor gives the NIC; null only while the network's
 *                   {@code on-stop} policy has given it back (a stopped VM)
 * @param pendingMac a MAC set through the API, already claimed from the pool, that becomes the spec
 *                   at the next restart (or start); null when none
 * @param ip         the address reserved for the NIC's MAC; null while given back
 * @param observed   the latest observation from any source; null before the first one
 */
public record Nic(String name, String network, MacAddress mac, MacAddress pendingMac, Ipv4Address ip,
                  Observation observed) {
    public Nic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(network, "network");
    }

    /** Whether {@code m} is this NIC's spec or pending MAC. */
    public boolean owns(MacAddress m) {
        return m != null && (m.equals(mac) || m.equals(pendingMac));
    }

    public Nic withMac(MacAddress newMac, MacAddress newPending, Ipv4Address newIp) {
        return new Nic(name, network, newMac, newPending, newIp, observed);
    }

    public Nic withObserved(Observation o) {
        return new Nic(name, network, mac, pendingMac, ip, o);
    }
}
