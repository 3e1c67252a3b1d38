package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a NIC was last seen using: by the guest agent, KubeVirt, or the DHCP server.
 *
 * @param mac           null when the source did not say (an interface without a hardware address)
 * @param ips           IPv4 and IPv6 addresses in canonical text form (IPv6 RFC 5952)
 * @param source        {@code qemu-guest-agent}, {@code kubevirt} or {@code dhcp}
 * @param interfaceName the guest's name for the interface ({@code eth0}); null when unknown (DHCP)
 */
public record Observation(MacAddress mac, List<String> ips, String source, Instant at, String interfaceName) {
    public Observation {
        ips = List.copyOf(ips == null ? List.of() : ips);
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
    }
}
