package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spec and pending MACs → the name of the VM whose NIC has them, so a DHCP observation finds its
 * NIC without a scan (and ordinary DHCP clients cost one map lookup).
 *
 * <p>Written only by {@link VmTable}, under the VM's lock, after the VM's document was written;
 * read without a lock. New MACs are added before old ones are dropped, so a MAC the VM keeps is
 * never briefly missing for a concurrent lookup; a removal names the VM ({@code remove(mac, vm)}),
 * so a MAC another VM has taken since stays that VM's.
 */
final class MacIndex {
    private final ConcurrentHashMap<MacAddress, String> byMac = new ConcurrentHashMap<>();

    Optional<String> vmOf(MacAddress mac) {
        return Optional.ofNullable(byMac.get(mac));
    }

    boolean contains(MacAddress mac) {
        return byMac.containsKey(mac);
    }

    /**
     * The VM changed from {@code before} to {@code after} (either null: created, deleted). Returns
     * the NICs of {@code after} holding a MAC the VM did not hold before, with that MAC.
     */
    List<TakenMac> reindex(Vm before, Vm after) {
        Set<MacAddress> held = macs(before);
        Set<MacAddress> kept = new HashSet<>();
        List<TakenMac> taken = new java.util.ArrayList<>();
        if (after != null) {
            for (Nic n : after.nics()) {
                for (MacAddress m : new MacAddress[] {n.mac(), n.pendingMac()}) {
                    if (m != null) {
                        kept.add(m);
                        byMac.put(m, after.name());
                        if (!held.contains(m)) {
                            taken.add(new TakenMac(n.network(), m));
                        }
                    }
                }
            }
        }
        for (MacAddress m : held) {
            if (!kept.contains(m)) {
                byMac.remove(m, before.name());
            }
        }
        return taken;
    }

    /** A MAC a NIC on {@code network} now holds (spec or pending) that its VM did not hold before. */
    record TakenMac(String network, MacAddress mac) {}

    private static Set<MacAddress> macs(Vm vm) {
        Set<MacAddress> out = new HashSet<>();
        if (vm != null) {
            for (Nic n : vm.nics()) {
                if (n.mac() != null) {
                    out.add(n.mac());
                }
                if (n.pendingMac() != null) {
                    out.add(n.pendingMac());
                }
            }
        }
        return out;
    }
}
