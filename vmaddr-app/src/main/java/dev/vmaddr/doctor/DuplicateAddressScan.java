package dev.vmaddr.doctor;

import static dev.vmaddr.doctor.Finding.Severity.ERROR;
import static dev.vmaddr.doctor.Finding.Severity.INFO;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.connectivity.NetworkProbe.ProbeSession;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Two hosts answering ARP for one address (seed 004: IP conflicts), found from the probe interface on
 * the network: ARP probes (sender 0.0.0.0, so no one's cache learns anything) to the network's known
 * addresses (reservations) and, on small networks, to every address of the CIDR; an address answered
 * from two MACs is a duplicate, and the finding names both. The gateway and the inventory's NIC
 * addresses are the doctor's own earlier checks and are not asked twice.
 *
 * <p>Bounded: at most {@link #PARALLEL} arping runs at once and {@link #BUDGET} in all (a /24 takes
 * about 256 / 32 x 2 s = 16 s); what the budget leaves unasked is said in an info finding.
 */
final class DuplicateAddressScan {
    /** Networks of this prefix length or longer (at most 254 hosts) are scanned whole. */
    static final int SMALL_NETWORK = 24;
    static final int PARALLEL = 32;
    static final Duration BUDGET = Duration.ofSeconds(40);

    private DuplicateAddressScan() {}

    static void scan(NetworkSpec n, ProbeSession s, String bridge, Set<Ipv4Address> checkedElsewhere, boolean wholeCidr,
                     List<Finding> out) {
        Map<Ipv4Address, Reservation> reserved = new LinkedHashMap<>();
        for (Reservation r : n.reservations()) {
            reserved.put(r.ip(), r);
        }
        Set<Ipv4Address> targets = new LinkedHashSet<>(reserved.keySet());
        if (wholeCidr && n.cidr().length() >= SMALL_NETWORK) {
            for (Ipv4Address a = n.cidr().network().plus(1); n.cidr().contains(a) && !n.cidr().isNetworkOrBroadcast(a); a = a.plus(1)) {
                targets.add(a);
            }
        }
        targets.removeIf(a -> !n.cidr().contains(a) || checkedElsewhere.contains(a));
        Map<Ipv4Address, List<MacAddress>> answers = new ConcurrentHashMap<>();
        long deadline = System.nanoTime() + BUDGET.toNanos();
        Semaphore slots = new Semaphore(PARALLEL);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Ipv4Address ip : targets) {
                if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break; // budget spent: the rest stays unasked, reported below
                }
                pool.submit(() -> {
                    try {
                        answers.put(ip, s.arp(ip, 2));
                    } finally {
                        slots.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Ipv4Address ip : targets) {
            List<MacAddress> macs = answers.get(ip);
            if (macs == null || macs.size() < 2) {
                continue;
            }
            Reservation r = reserved.get(ip);
            String list = macs.stream().map(MacAddress::toString).collect(Collectors.joining(", "));
            out.add(new Finding("duplicate-ip", ERROR, n.name(), ip + " answered ARP from " + macs.size() + " MACs: " + list
                    + (r != null && r.mac() != null ? " (reserved for " + r.mac() + ")" : "")
                    + " (ARP probe from a probe port on " + bridge + ")",
                    "find their ports with bridge fdb show br " + bridge + " | grep -i -e "
                            + macs.stream().map(MacAddress::toString).collect(Collectors.joining(" -e "))
                            + ", then remove " + ip + " from every device but its owner (ip addr del " + ip + "/"
                            + n.cidr().length() + " dev <its interface>)"));
        }
        if (answers.size() < targets.size()) {
            List<Ipv4Address> left = new ArrayList<>(targets);
            left.removeAll(answers.keySet());
            out.add(new Finding("probe-skipped", INFO, n.name(), "duplicate-address scan asked " + answers.size() + " of "
                    + targets.size() + " addresses within " + BUDGET.toSeconds() + " s; not asked from " + left.getFirst(), null));
        }
    }
}
