package dev.vmaddr.doctor;

import static dev.vmaddr.doctor.Finding.Severity.ERROR;
import static dev.vmaddr.doctor.Finding.Severity.WARNING;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Strict reverse-path filtering ({@code rp_filter=1}) where it drops DHCP (seed 004). The kernel's
 * effective setting on an interface is {@code max(conf.all.rp_filter, conf.IFACE.rp_filter)}, so the
 * fix is {@code IFACE=2} (loose: the source must be routable at all, through any interface), which wins
 * over {@code all=1}; {@code 0} would not.
 *
 * <p>Two places: a bridge the host routes for (its addresses, NAT), and relayed DHCP. A relay's
 * packets come from the relay's address and can arrive on an interface other than the one the host
 * routes back to the relay through (a router sourcing from its VM-side address, a second uplink);
 * strict mode drops them before any socket sees them. Which interface they arrive on cannot be read
 * from the config (relayed requests are accepted on any), so every interface that is up with an IPv4
 * address is a candidate. Evidence: the sysctls, and the kernel's drop counter
 * {@code TcpExt: IPReversePathFilter} in {@code /proc/net/netstat}; drops already counted make it an error.
 */
final class ReversePathFilter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReversePathFilter() {}

    /** The bridge {@code br} of network {@code n}, which the host routes for. */
    static void bridge(NetworkSpec n, CommandRunner run, String br, List<Finding> out) {
        report(n, run, List.of(br), "strict reverse-path filtering drops relayed DHCP and asymmetric routed traffic on "
                + br, out);
    }

    /** Network {@code n} is served through relays: every up interface with IPv4 can receive them. */
    static void relayed(NetworkSpec n, CommandRunner run, List<Finding> out) throws IOException {
        report(n, run, ipv4Interfaces(run), "relayed DHCP for " + n.name() + (n.relays().isEmpty() ? ""
                : " (relays " + n.relays() + ")") + " is dropped when it arrives on an interface the route back to the"
                + " relay does not use", out);
    }

    private static void report(NetworkSpec n, CommandRunner run, List<String> ifaces, String why, List<Finding> out) {
        int all = sysctl(run, "net.ipv4.conf.all.rp_filter");
        List<String> strict = new ArrayList<>();
        List<String> evidence = new ArrayList<>();
        for (String i : ifaces) {
            int dev = sysctl(run, "net.ipv4.conf." + i + ".rp_filter");
            if (Math.max(all, dev) == 1) {
                strict.add(i);
                evidence.add(i + " (all=" + all + ", " + i + "=" + dev + ": effective 1)");
            }
        }
        if (strict.isEmpty()) {
            return;
        }
        OptionalLong drops = reversePathDrops(run);
        String counter = drops.isPresent() ? "; TcpExt IPReversePathFilter = " + drops.getAsLong() + " (/proc/net/netstat)"
                + (drops.getAsLong() > 0 ? ": the kernel has dropped packets failing the check" : "") : "";
        out.add(new Finding("rp-filter", drops.orElse(0) > 0 ? ERROR : WARNING, n.name(), "strict rp_filter on "
                + String.join(", ", evidence) + ": " + why + counter,
                "sysctl -w " + strict.stream().map(i -> "net.ipv4.conf." + i + ".rp_filter=2").collect(Collectors.joining(" "))));
    }

    /** Interfaces that are up and hold an IPv4 address, loopback left out. */
    static List<String> ipv4Interfaces(CommandRunner run) throws IOException {
        CommandResult r = run.run("ip", "-j", "-4", "addr", "show", "up");
        List<String> out = new ArrayList<>();
        if (!r.ok()) {
            return out;
        }
        for (JsonNode link : JSON.readTree(r.stdout())) {
            String name = link.path("ifname").asText();
            boolean loopback = false;
            for (JsonNode f : link.path("flags")) {
                loopback |= f.asText().equals("LOOPBACK");
            }
            if (!loopback && !link.path("addr_info").isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** {@code IPReversePathFilter} of the {@code TcpExt:} lines (a header line, then a value line). */
    static OptionalLong reversePathDrops(CommandRunner run) {
        CommandResult r = run.run("cat", "/proc/net/netstat");
        if (!r.ok()) {
            return OptionalLong.empty();
        }
        String[] header = null;
        for (String line : r.stdout().split("\n")) {
            if (!line.startsWith("TcpExt:")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (header == null) {
                header = fields;
                continue;
            }
            for (int i = 1; i < Math.min(header.length, fields.length); i++) {
                if (header[i].equals("IPReversePathFilter")) {
                    try {
                        return OptionalLong.of(Long.parseLong(fields[i]));
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
            }
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    private static int sysctl(CommandRunner run, String key) {
        try {
            return Integer.parseInt(Doctor.sysctl(run, key));
        } catch (NumberFormatException e) {
            return 0; // unreadable ("?"): treated as off, as the kernel's default is
        }
    }
}
