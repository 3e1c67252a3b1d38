package dev.vmaddr.hostnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.AddressFormatException;
import dev.vmaddr.addr.MacAddress;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The MACs that stations next to the MAC pool already carry (kubemacpool#77): the host's own
 * interfaces ({@code ip -j link show}) and its known peers, the neighbour table's link-layer
 * addresses ({@code ip -j neigh show}: every station the host has talked to by ARP). The pool
 * must never hand one of these to a VM: it would be a second station with the same MAC.
 *
 * <p>Left out: loopback and all-zero addresses, multicast ones, and macvtap/macvlan devices, which
 * carry a VM's own MAC (the VM's NIC, not another station). Read through a {@link CommandRunner},
 * so the tests read a network namespace's.
 */
public final class HostMacs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostMacs() {}

    /** MAC to where it was seen ({@code host interface eth0}, {@code neighbour 198.18.0.1 on br0}), in the order read. */
    public static Map<MacAddress, String> read(CommandRunner run) throws IOException {
        Map<MacAddress, String> out = new LinkedHashMap<>();
        for (Link l : Link.list(run)) {
            if ("macvtap".equals(l.kind()) || "macvlan".equals(l.kind())) {
                continue;
            }
            MacAddress mac = mac(l.mac());
            if (mac != null) {
                out.putIfAbsent(mac, "host interface " + l.name());
            }
        }
        CommandResult r = run.run("ip", "-j", "neigh", "show");
        if (!r.ok()) {
            throw new IOException(r.commandLine() + " failed: " + r.stderr().strip());
        }
        String text = r.stdout().isBlank() ? "[]" : r.stdout();
        for (JsonNode n : JSON.readTree(text)) {
            MacAddress mac = mac(n.path("lladdr").asText(null));
            if (mac != null) {
                out.putIfAbsent(mac, "neighbour " + n.path("dst").asText("?") + " on " + n.path("dev").asText("?"));
            }
        }
        return out;
    }

    private static MacAddress mac(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            MacAddress m = MacAddress.parse(text);
            return m.value() == 0 || !m.isUnicast() ? null : m;
        } catch (AddressFormatException e) {
            return null; // an infiniband or tunnel address, not an Ethernet MAC
        }
    }
}
