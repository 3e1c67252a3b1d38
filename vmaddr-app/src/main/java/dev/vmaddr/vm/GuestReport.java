package dev.vmaddr.vm;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A report of the interfaces a guest has, from the QEMU guest agent
 * ({@code guest-network-get-interfaces}) or KubeVirt (VMI {@code status.interfaces}).
 */
public record GuestReport(String source, Instant at, List<GuestInterface> interfaces) {
    public static final String QEMU_GUEST_AGENT = "qemu-guest-agent";
    public static final String KUBEVIRT = "kubevirt";
    public static final String DHCP = "dhcp";
    /**
     * QEMU's own view of a NIC ({@code query-rx-filter}: the MAC the guest programmed, {@code main-mac}),
     * for guests without an agent. Its interfaces are named after the VM's NICs, and it knows no addresses.
     */
    public static final String QEMU_RX_FILTER = "qemu-rx-filter";

    public GuestReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        interfaces = List.copyOf(interfaces);
    }
}
