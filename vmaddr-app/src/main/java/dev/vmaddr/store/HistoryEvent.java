package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;

/**
 * One change of who holds an address or a MAC ("who had 198.18.0.7 last Tuesday?").
 *
 * @param network null for MAC events
 * @param ip      null for MAC events
 * @param holder  the lease holder or MAC owner, e.g. {@code mac:52:54:00:..}, {@code vm/web1/nic0}
 * @param action  what happened; older writers used their own spellings ({@code bound}, {@code nic-mac-changed}),
 *                {@link HistoryKinds#kind} turns any of them into the kind the API shows
 * @param actor   who made the change ({@code dhcp}, {@code api:<token name>}, {@code cni}, {@code libvirt},
 *                {@code import}); null when the writer did not say (events the store derives from lease
 *                and MAC records)
 * @param detail  free text (the host a VM moved to, ...); null when there is nothing to add
 */
public record HistoryEvent(Instant at, String network, Ipv4Address ip, MacAddress mac, String holder, String action,
                           String actor, String detail) {
    public HistoryEvent(Instant at, String network, Ipv4Address ip, MacAddress mac, String holder, String action) {
        this(at, network, ip, mac, holder, action, null, null);
    }

    private static final String VM_PREFIX = "vm/";

    /** The VM of a holder {@code vm/NAME/NIC}, else null. */
    public String vm() {
        return vmPart(holder, 1);
    }

    /** The NIC of a holder {@code vm/NAME/NIC}, else null. */
    public String nic() {
        return vmPart(holder, 2);
    }

    /** The VM name in a holder {@code vm/NAME/NIC}, else null: the key history is indexed by. */
    public static String vmOf(String holder) {
        return vmPart(holder, 1);
    }

    private static String vmPart(String holder, int part) {
        if (holder == null || !holder.startsWith(VM_PREFIX)) {
            return null;
        }
        int slash = holder.indexOf('/', VM_PREFIX.length());
        if (slash < 0) {
            return part == 1 ? holder.substring(VM_PREFIX.length()) : null;
        }
        return part == 1 ? holder.substring(VM_PREFIX.length(), slash) : holder.substring(slash + 1);
    }
}
