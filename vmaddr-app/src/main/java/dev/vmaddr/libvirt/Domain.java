package dev.vmaddr.libvirt;

import java.util.List;
import java.util.Objects;

/**
 * A libvirt domain as vmaddr reads it: {@code virsh dumpxml} plus its state.
 *
 * @param uuid         null only in a file that has none
 * @param state        libvirt's state word ({@code running}, {@code shut off}, {@code paused} ...);
 *                     {@link #SHUT_OFF} for a definition read from a file
 * @param agentChannel whether the definition has the {@code org.qemu.guest_agent.0} channel
 */
public record Domain(String name, String uuid, String state, List<DomainInterface> interfaces, boolean agentChannel) {
    public static final String SHUT_OFF = "shut off";
    public static final String RUNNING = "running";
    /** A file that does not say whether the VM runs: reconcile keeps the VM's state as it is. */
    public static final String AS_IS = "as-is";

    public Domain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        interfaces = List.copyOf(interfaces);
    }

    /**
     * Whether QEMU runs for it (running, paused, in shutdown, pmsuspended): its NICs are on the wire
     * or will be again without a new boot. Shut off, crashed and anything unknown are not.
     */
    public boolean active() {
        return switch (state) {
            case RUNNING, "idle", "paused", "in shutdown", "pmsuspended", "blocked" -> true;
            default -> false;
        };
    }

    public Domain withState(String newState) {
        return new Domain(name, uuid, newState, interfaces, agentChannel);
    }
}
