package dev.vmaddr.libvirt;

import dev.vmaddr.addr.MacAddress;
import java.util.List;
import java.util.Locale;

/**
 * What one sync pass changes (or, dry, would change): per VM its action, its NICs as libvirt has
 * them and the steps; and what it will not do by itself ({@link Conflict}s).
 */
public record SyncPlan(List<VmPlan> vms, List<Conflict> conflicts) {
    public SyncPlan {
        vms = List.copyOf(vms);
        conflicts = List.copyOf(conflicts);
    }

    public enum Action {
        CREATED, UPDATED, UNCHANGED, REMOVED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** @param uuid the domain's; null for a VM whose domain is gone */
    public record VmPlan(String name, String uuid, Action action, List<NicPlan> nics, List<SyncStep> steps) {
        public VmPlan {
            nics = List.copyOf(nics);
            steps = List.copyOf(steps);
        }
    }

    public record NicPlan(String name, MacAddress mac, String network) {}

    /**
     * Something the sync does not change by itself: a domain MAC that another VM's NIC holds
     * ({@code mac-conflict}), an interface on no vmaddr network ({@code no-network}), two interfaces
     * named alike ({@code duplicate-nic}), an interface moved to another network
     * ({@code network-changed}). {@code nic} may be null.
     */
    public record Conflict(String vm, String nic, String kind, MacAddress mac, String detail, String fix) {}

    public static final String MAC_CONFLICT = "mac-conflict";
    public static final String NO_NETWORK = "no-network";
    public static final String DUPLICATE_NIC = "duplicate-nic";
    public static final String NETWORK_CHANGED = "network-changed";

    public List<SyncStep> steps() {
        return vms.stream().flatMap(v -> v.steps().stream()).toList();
    }
}
