package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import java.util.List;

/**
 * One interface as a guest report describes it, normalized from either source.
 *
 * @param name          KubeVirt: the VM interface (= NIC) name; guest agent: the guest's interface name
 * @param interfaceName the guest's interface name ({@code eth0}), null when not reported
 * @param mac           null when the report had none
 * @param ips           canonical text forms, IPv4 and IPv6
 */
public record GuestInterface(String name, String interfaceName, MacAddress mac, List<String> ips) {
    public GuestInterface {
        ips = List.copyOf(ips == null ? List.of() : ips);
    }
}
