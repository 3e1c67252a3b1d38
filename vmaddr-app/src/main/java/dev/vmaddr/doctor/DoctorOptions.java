package dev.vmaddr.doctor;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * @param netns         run every command inside this network namespace (null: the host itself)
 * @param vmaddrServed  networks whose DHCP vmaddr itself serves on this host (their expected DHCP
 *                      servers are the host's own addresses on the bridge)
 * @param natNetworks   networks the host NATs for; besides these, a network counts as NAT when the host
 *                      holds its gateway address on the bridge (the host routes for it, libvirt-style)
 * @param inventory     known NICs (VM inventory), for duplicate IP/MAC checks
 * @param probes        false: only read host state (no probe namespace, no DHCP/ARP/ICMP on the network)
 * @param dhcpWindow    how long to collect OFFERs from DHCP servers
 * @param scanCidr      ARP-scan every address of small networks (/24 or smaller) for duplicates, not only the
 *                      known ones (gateway, reservations, inventory); costs up to {@link DuplicateAddressScan#BUDGET}
 */
public record DoctorOptions(String netns, Set<String> vmaddrServed, Set<String> natNetworks, List<KnownNic> inventory,
                            boolean probes, Duration dhcpWindow, boolean scanCidr) {
    public static final DoctorOptions DEFAULT = new DoctorOptions(null, Set.of(), Set.of(), List.of(), true, Duration.ofSeconds(5));

    /** With the whole-CIDR duplicate scan of small networks. */
    public DoctorOptions(String netns, Set<String> vmaddrServed, Set<String> natNetworks, List<KnownNic> inventory,
                         boolean probes, Duration dhcpWindow) {
        this(netns, vmaddrServed, natNetworks, inventory, probes, dhcpWindow, true);
    }

    public DoctorOptions {
        vmaddrServed = Set.copyOf(vmaddrServed);
        natNetworks = Set.copyOf(natNetworks);
        inventory = List.copyOf(inventory);
    }

    /** A NIC vmaddr knows about: who owns the MAC and (if any) the address it holds. */
    public record KnownNic(String owner, MacAddress mac, Ipv4Address ip) {}
}
