package dev.vmaddr.store;

import java.util.Map;

/**
 * The kinds of history events the API shows, and the older spellings the stores still hold.
 *
 * <p>Why a translation and not a rewrite of the stored text: the lease and MAC events are derived
 * from the records themselves (the embedded log's replay, PostgreSQL's triggers) and spell the
 * record's state ({@code bound}, {@code mac-allocated}); logs written by earlier versions hold the VM
 * inventory's own names ({@code nic-mac-changed}). Translating on the way out keeps every stored
 * byte readable and needs no migration of a million rows.
 *
 * <p>Renewals are coalesced: a renewal rewrites the lease record with the same holder and state, and
 * no event is derived from it (one event per renewal would double the history write rate of the
 * DHCP hot path for no answer a user asks for: "who had it" is answered by the bound event and the
 * event that ended it). The API shows the current binding's last renewal as {@code lastRenewedAt} on
 * its {@code lease.bound} event, read from the lease.
 */
public final class HistoryKinds {
    public static final String LEASE_BOUND = "lease.bound";
    public static final String LEASE_RELEASED = "lease.released";
    public static final String LEASE_EXPIRED = "lease.expired";
    public static final String LEASE_DECLINED = "lease.declined";
    public static final String MAC_ALLOCATED = "mac.allocated";
    public static final String MAC_RELEASED = "mac.released";
    public static final String MAC_CHANGED = "mac.changed";
    public static final String RESERVATION_ADDED = "reservation.added";
    public static final String RESERVATION_REMOVED = "reservation.removed";
    public static final String VM_CREATED = "vm.created";
    public static final String VM_DELETED = "vm.deleted";
    public static final String VM_MIGRATED = "vm.migrated";

    private static final String HOST_CHANGED = "vm-host-changed:";

    private static final Map<String, String> OLD = Map.ofEntries(
            Map.entry("offered", "lease.offered"),
            Map.entry("bound", LEASE_BOUND),
            Map.entry("released", LEASE_RELEASED),
            Map.entry("expired", LEASE_EXPIRED),
            Map.entry("declined", LEASE_DECLINED),
            Map.entry("mac-allocated", MAC_ALLOCATED),
            Map.entry("mac-released", MAC_RELEASED),
            Map.entry("mac-reserved", "mac.reserved"),
            Map.entry("mac-observed", "mac.observed"),
            Map.entry("nic-mac-assigned", MAC_ALLOCATED),
            Map.entry("nic-mac-released", MAC_RELEASED),
            Map.entry("nic-mac-changed", MAC_CHANGED),
            Map.entry("nic-mac-pending", "mac.pending"),
            Map.entry("nic-address-reserved", RESERVATION_ADDED),
            Map.entry("nic-address-released", RESERVATION_REMOVED));

    private HistoryKinds() {}

    /** The kind of a stored action: itself when it is already a kind ({@code area.what}). */
    public static String kind(String action) {
        if (action == null) {
            return null;
        }
        if (action.startsWith(HOST_CHANGED)) {
            return VM_MIGRATED;
        }
        String k = OLD.get(action);
        return k != null ? k : action;
    }

    /** Detail carried in the action by older writers (the host of {@code vm-host-changed:HOST}), else null. */
    public static String detailOf(String action) {
        return action != null && action.startsWith(HOST_CHANGED) ? "to host " + action.substring(HOST_CHANGED.length()) : null;
    }
}
