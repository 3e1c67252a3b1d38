package dev.vmaddr.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ties the interfaces of a guest report to the VM's NICs.
 *
 * <p>KubeVirt names each interface after the VM interface, so its reports match by {@code name}; so do
 * QEMU rx-filter reports, which libvirt ties to the domain's interfaces.
 * The guest agent knows only what the guest sees, so its reports match by MAC (spec or pending);
 * an interface whose MAC the guest changed (seed 000) would then look like a stranger, so two
 * fallbacks follow for the NICs still unmatched: the guest interface name seen for that NIC before
 * ({@code eth0} stays {@code eth0} when its MAC changes), then the NIC's reserved address. What
 * remains is unknown. Loopback interfaces are ignored.
 */
final class GuestMatcher {
    record Result(Map<String, GuestInterface> matched, List<GuestInterface> unknown, List<String> missing) {}

    private GuestMatcher() {}

    static Result match(Vm vm, GuestReport report) {
        List<GuestInterface> remaining = new ArrayList<>();
        for (GuestInterface g : report.interfaces()) {
            if (!isLoopback(g)) {
                remaining.add(g);
            }
        }
        Map<String, GuestInterface> matched = new LinkedHashMap<>();
        if (GuestReport.KUBEVIRT.equals(report.source()) || GuestReport.QEMU_RX_FILTER.equals(report.source())) {
            for (Nic nic : vm.nics()) {
                take(remaining, g -> nic.name().equals(g.name())).ifPresent(g -> matched.put(nic.name(), g));
            }
        } else {
            for (Nic nic : vm.nics()) {
                take(remaining, g -> nic.owns(g.mac())).ifPresent(g -> matched.put(nic.name(), g));
            }
            for (Nic nic : vm.nics()) {
                String seenAs = nic.observed() == null ? null : nic.observed().interfaceName();
                if (!matched.containsKey(nic.name()) && seenAs != null) {
                    take(remaining, g -> seenAs.equals(g.interfaceName())).ifPresent(g -> matched.put(nic.name(), g));
                }
            }
            for (Nic nic : vm.nics()) {
                if (!matched.containsKey(nic.name()) && nic.ip() != null) {
                    String ip = nic.ip().toString();
                    take(remaining, g -> g.ips().contains(ip)).ifPresent(g -> matched.put(nic.name(), g));
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (Nic nic : vm.nics()) {
            if (!matched.containsKey(nic.name())) {
                missing.add(nic.name());
            }
        }
        List<GuestInterface> unknown = remaining.stream().filter(g -> g.mac() != null).toList();
        return new Result(matched, unknown, missing);
    }

    private static boolean isLoopback(GuestInterface g) {
        return "lo".equals(g.interfaceName()) || (g.mac() != null && g.mac().value() == 0);
    }

    private static java.util.Optional<GuestInterface> take(List<GuestInterface> from,
                                                          java.util.function.Predicate<GuestInterface> p) {
        for (int i = 0; i < from.size(); i++) {
            if (p.test(from.get(i))) {
                return java.util.Optional.of(from.remove(i));
            }
        }
        return java.util.Optional.empty();
    }
}
