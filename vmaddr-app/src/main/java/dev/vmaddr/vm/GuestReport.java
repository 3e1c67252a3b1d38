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

    public GuestReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        interfaces = List.copyOf(interfaces);
    }
}
