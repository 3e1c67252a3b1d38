package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

import static dev.vmaddr.nad.LintFinding.Severity.ERROR;
import static dev.vmaddr.nad.LintFinding.Severity.WARNING;

/**
 * Will the MAC requested for a pod's NIC reach its interface? The rules are the truth table measured
 * with Debian's containernetworking-plugins 1.1.1 (docs/cni.md, re-measured by
 * MacTruthTableNetnsTest against this class), not seed 001's "macvlan needs tuning", which does not
 * hold for these plugins:
 *
 * <ul>
 *   <li>macvlan and bridge apply {@code runtimeConfig.mac} themselves when they declare
 *       {@code capabilities.mac} (macvlan since 0.8.7), and {@code MAC=} from CNI_ARGS, which Multus
 *       sends for a selection with a MAC, even without it; tuning with the capability applies it too.</li>
 *   <li>Without a capability the MAC arrives only as Multus's {@code MAC=}: a runtime without Multus,
 *       or an older plugin (Kube-OVN bundles its own), leaves the kernel's random MAC.</li>
 *   <li>tuning with a fixed {@code "mac"} gives every pod that names no MAC the same address; on one
 *       macvlan master the second pod is refused ("address already in use").</li>
 *   <li>When only tuning declares the capability, the IPAM plugin (exec'd by the main plugin, before
 *       tuning runs) is handed no MAC and reads the interface's random one: a DHCP IPAM leases for
 *       it. vmaddr's IPAM also reads Multus's {@code MAC=}, other IPAMs do not.</li>
 *   <li>ipvlan shares the master's MAC; ptp ignores both runtimeConfig and CNI_ARGS.</li>
 * </ul>
 */
final class MacDelivery {
    static final String VERSION_NOTE = "macvlan does since containernetworking-plugins 0.8.7, bridge does in 1.1.1 (measured); "
            + "older plugins, as some Kube-OVN bundles ship, ignore it";

    private MacDelivery() {}

    static void check(String name, CniConfig cni, String kind, List<LintFinding> out) {
        ObjectNode main = cni.mainPlugin();
        boolean capMain = capability(main);
        List<ObjectNode> tunings = cni.plugins().stream().filter(p -> p.path("type").asText().equals("tuning")).toList();
        boolean capTuning = tunings.stream().anyMatch(MacDelivery::capability);
        ObjectNode staticTuning = tunings.stream().filter(p -> p.hasNonNull("mac")).findFirst().orElse(null);
        if (staticTuning != null) {
            out.add(new LintFinding(ERROR, "mac-static", name, "tuning sets the fixed MAC " + staticTuning.get("mac").asText()
                    + ": every pod that names no MAC of its own gets it, and on one master the second pod is refused"
                    + " (\"address already in use\")", fixed(cni, false)));
        }
        switch (kind) {
            case "ipvlan" -> out.add(new LintFinding(ERROR, "macvlan-mac", name,
                    "ipvlan interfaces share the master's MAC: a MAC requested for this NIC will not be applied; use macvlan",
                    fixed(cni, true)));
            case "ptp" -> {
                if (!capTuning) {
                    out.add(new LintFinding(ERROR, "macvlan-mac", name, "ptp ignores the requested MAC (runtimeConfig and "
                            + "CNI_ARGS MAC= alike): the kernel picks a random one; add tuning with capabilities.mac", fixed(cni, false)));
                } else if (!capMain) {
                    out.add(ipamBlind(name, kind, cni));
                }
            }
            default -> {
                if (!capMain && !capTuning && kind.equals("bridge")) {
                    // Nothing for bridge: Harvester's and KubeVirt's bridge NADs look like this, Multus's MAC=
                    // reaches the pod interface (measured), and KubeVirt's bridge binding gives the VM its
                    // MAC itself, whatever the pod interface got.
                    return;
                }
                if (!capMain && !capTuning) {
                    out.add(new LintFinding(WARNING, "mac-version", name, "no plugin declares \"capabilities\": {\"mac\": true}: "
                            + "the requested MAC arrives only as MAC= in CNI_ARGS, which Multus sends and " + kind + " reads ("
                            + VERSION_NOTE + "); any other runtime leaves a random MAC", fixed(cni, false)));
                } else if (capMain && !capTuning) {
                    out.add(new LintFinding(WARNING, "mac-version", name, kind + " applies the requested MAC itself ("
                            + VERSION_NOTE + "); tuning with capabilities.mac applies it with any version", fixed(cni, false)));
                } else if (!capMain) {
                    out.add(ipamBlind(name, kind, cni));
                }
            }
        }
    }

    private static LintFinding ipamBlind(String name, String kind, CniConfig cni) {
        return new LintFinding(WARNING, "mac-ipam-blind", name, "only tuning declares capabilities.mac: tuning sets the MAC "
                + "after the IPAM plugin ran inside " + kind + ", which was handed no MAC and saw the interface's random one "
                + "(a DHCP IPAM leases for that one); declare the capability on " + kind + " as well", fixed(cni, false));
    }

    private static boolean capability(ObjectNode plugin) {
        return plugin.path("capabilities").path("mac").asBoolean(false);
    }

    /** The chain with capabilities.mac on the main plugin and on a tuning plugin (added when missing), no fixed MAC. */
    static String fixed(CniConfig cni, boolean ipvlanToMacvlan) {
        List<ObjectNode> plugins = new ArrayList<>();
        boolean sawTuning = false;
        for (ObjectNode p : cni.plugins()) {
            ObjectNode c = p.deepCopy();
            c.remove("cniVersion");
            c.remove("name");
            String t = c.path("type").asText();
            if (t.equals("ipvlan") && ipvlanToMacvlan) {
                c.put("type", "macvlan");
                c.put("mode", "bridge");
            }
            if (t.equals("tuning")) {
                c.remove("mac");
            }
            if (p == cni.mainPlugin() || t.equals("tuning")) {
                c.withObject("capabilities").put("mac", true);
            }
            sawTuning |= t.equals("tuning");
            plugins.add(c);
        }
        if (!sawTuning) {
            plugins.add(NadExporter.tuningPlugin());
        }
        return CniConfig.chainJson(cni.cniVersion(), cni.name(), plugins);
    }
}
