package dev.vmaddr.hostnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One network interface as {@code ip -j -d link show} reports it.
 *
 * @param adminUp        the UP flag (set by {@code ip link set X up})
 * @param operState      UP, DOWN, LOWERLAYERDOWN, UNKNOWN ...
 * @param master         the bridge it is a port of, or null
 * @param kind           linkinfo kind (bridge, veth, macvlan, vlan ...), or null for plain NICs
 * @param stpState       bridges only: 0 off, 1 kernel STP, 2 user STP; null for non-bridges
 * @param forwardDelayCs bridges only: forward delay in centiseconds (1500 = 15 s)
 * @param vlanFiltering  bridges only
 */
public record Link(String name, boolean adminUp, String operState, int mtu, String master, String kind, String mac,
                   Integer stpState, Integer forwardDelayCs, boolean vlanFiltering) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean isBridge() {
        return "bridge".equals(kind);
    }

    /** Carrier and admin state both fine. UNKNOWN counts as up (loopback, some virtual devices). */
    public boolean operUp() {
        return adminUp && ("UP".equals(operState) || "UNKNOWN".equals(operState));
    }

    public static List<Link> list(CommandRunner run) throws IOException {
        return parse(run.run("ip", "-j", "-d", "link", "show"));
    }

    public static Optional<Link> get(CommandRunner run, String name) throws IOException {
        CommandResult r = run.run("ip", "-j", "-d", "link", "show", "dev", name);
        if (!r.ok()) {
            if (r.stderr().contains("does not exist") || r.stderr().contains("Cannot find device")) {
                return Optional.empty();
            }
            throw new IOException(r.commandLine() + " failed: " + r.stderr().strip());
        }
        return parse(r).stream().findFirst();
    }

    static List<Link> parse(CommandResult r) throws IOException {
        if (!r.ok()) {
            throw new IOException(r.commandLine() + " failed: " + r.stderr().strip());
        }
        List<Link> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(r.stdout())) {
            boolean up = false;
            for (JsonNode f : n.path("flags")) {
                up |= f.asText().equals("UP");
            }
            JsonNode info = n.path("linkinfo");
            String kind = info.path("info_kind").asText(null);
            JsonNode data = info.path("info_data");
            boolean bridge = "bridge".equals(kind);
            out.add(new Link(n.path("ifname").asText(), up, n.path("operstate").asText(""), n.path("mtu").asInt(),
                    n.path("master").asText(null), kind, n.path("address").asText(null),
                    bridge ? data.path("stp_state").asInt() : null,
                    bridge ? data.path("forward_delay").asInt() : null,
                    bridge && data.path("vlan_filtering").asInt() == 1));
        }
        return out;
    }
}
