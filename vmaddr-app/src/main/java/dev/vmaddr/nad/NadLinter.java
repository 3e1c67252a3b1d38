package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.vmaddr.nad.LintFinding.Severity.ERROR;
import static dev.vmaddr.nad.LintFinding.Severity.INFO;
import static dev.vmaddr.nad.LintFinding.Severity.WARNING;

/**
 * Checks NADs for mistakes that make a VM NIC silently wrong. First whether the MAC requested for
 * the NIC reaches it ({@link MacDelivery}, rules measured with the real CNI plugins): where it does
 * not, the kernel picks a random MAC and DHCP reservations, MAC pools and firewall rules keyed on
 * the MAC all miss. Given vmaddr's networks, a NAD is also compared with the network of the same
 * name (MTU, VLAN, CIDR, gateway).
 */
public final class NadLinter {

    public LintReport lint(String yaml, List<NetworkSpec> networks) {
        List<LintFinding> out = new ArrayList<>();
        List<NadDocument> docs;
        try {
            docs = NadDocument.parseAll(yaml);
        } catch (NadFormatException e) {
            out.add(new LintFinding(ERROR, "yaml", null, e.getMessage(), null));
            return new LintReport(out);
        }
        if (docs.isEmpty()) {
            out.add(new LintFinding(WARNING, "yaml", null, "no NetworkAttachmentDefinition found", null));
        }
        Map<String, NetworkSpec> byName = networks.stream()
                .collect(Collectors.toMap(NetworkSpec::name, Function.identity(), (a, b) -> a));
        for (NadDocument doc : docs) {
            lintOne(doc, byName.get(doc.name()), out);
        }
        return new LintReport(out);
    }

    private void lintOne(NadDocument doc, NetworkSpec vmaddr, List<LintFinding> out) {
        String name = doc.name();
        RouteAnnotation.Parsed route = null;
        String annotation = doc.annotations().get(NadDocument.ROUTE_ANNOTATION);
        if (annotation != null) {
            try {
                route = RouteAnnotation.parse(annotation, name);
            } catch (NadFormatException e) {
                out.add(new LintFinding(ERROR, "route-annotation", name, e.getMessage(),
                        "{\"mode\":\"auto\"} or {\"mode\":\"manual\",\"cidr\":\"198.18.0.0/24\",\"gateway\":\"198.18.0.1\"}"));
            }
        }
        CniConfig cni;
        try {
            cni = CniConfig.parse(doc.config(), name + " spec.config");
        } catch (NadFormatException e) {
            out.add(new LintFinding(ERROR, "config-json", name, e.getMessage(),
                    "spec.config must be one JSON object (a plugin, or {\"cniVersion\":..,\"plugins\":[..]}) in a YAML string"));
            return;
        }
        ObjectNode main = cni.mainPlugin();
        String type = main.path("type").asText();
        if (type.equals("ptp")) {
            MacDelivery.check(name, cni, type, out);
            return;
        }
        if (!CniConfig.MAIN_TYPES.contains(type)) {
            out.add(new LintFinding(INFO, "cni-type", name, "CNI type \"" + type + "\" is not checked (bridge, macvlan and ipvlan are)", null));
            return;
        }
        String kind = cni.mainType();
        checkInterface(name, kind, main, vmaddr, out);
        MacDelivery.check(name, cni, kind, out);
        checkIpam(name, kind, main, route, vmaddr, out);
        checkVlan(doc, kind, main, vmaddr, out);
        if (vmaddr != null && vmaddr.mtu() != null && main.hasNonNull("mtu") && main.get("mtu").asInt() != 0
                && main.get("mtu").asInt() != vmaddr.mtu()) {
            out.add(new LintFinding(ERROR, "mtu-mismatch", name, "mtu " + main.get("mtu").asInt()
                    + " differs from vmaddr network " + name + " (mtu " + vmaddr.mtu() + "); DHCP option 26 and the NIC disagree",
                    "\"mtu\": " + vmaddr.mtu()));
        }
        if (vmaddr != null && route != null && route.route().mode() == RouteSpec.Mode.MANUAL) {
            RouteSpec r = route.route();
            Ipv4Compare.mismatch("cidr", r.cidr(), vmaddr.cidr()).ifPresent(m -> out.add(new LintFinding(ERROR, "route-mismatch", name,
                    "route annotation " + m + " of vmaddr network " + name, routeFix(vmaddr))));
            if (vmaddr.gateway() != null) {
                Ipv4Compare.mismatch("gateway", r.gateway(), vmaddr.gateway()).ifPresent(m -> out.add(new LintFinding(ERROR,
                        "route-mismatch", name, "route annotation " + m + " of vmaddr network " + name, routeFix(vmaddr))));
            }
        }
    }

    private void checkInterface(String name, String kind, ObjectNode main, NetworkSpec vmaddr, List<LintFinding> out) {
        String key = kind.equals("bridge") ? "bridge" : "master";
        if (main.hasNonNull(key) && !main.get(key).asText().isBlank()) {
            if (vmaddr != null && vmaddr.bridge() != null && !vmaddr.bridge().equals(main.get(key).asText())) {
                out.add(new LintFinding(WARNING, kind.equals("bridge") ? "bridge-name" : "master-missing", name,
                        key + " \"" + main.get(key).asText() + "\" differs from vmaddr network " + name + " (bridge " + vmaddr.bridge() + ")",
                        "\"" + key + "\": \"" + vmaddr.bridge() + "\""));
            }
            return;
        }
        String suggested = vmaddr != null && vmaddr.bridge() != null ? vmaddr.bridge() : (kind.equals("bridge") ? "br-" + name : "eth1");
        ObjectNode fixed = main.deepCopy();
        fixed.put(key, suggested);
        if (kind.equals("bridge")) {
            out.add(new LintFinding(ERROR, "bridge-name", name,
                    "bridge name missing: the bridge plugin would create and use \"cni0\", not the VM network's bridge", fixed.toString()));
        } else {
            out.add(new LintFinding(ERROR, "master-missing", name,
                    kind + " master missing: the plugin would use the default-route interface, not the VM network", fixed.toString()));
        }
    }

    private void checkIpam(String name, String kind, ObjectNode main, RouteAnnotation.Parsed route, NetworkSpec vmaddr,
                           List<LintFinding> out) {
        List<String> ignored = new ArrayList<>();
        IpamInfo ipam;
        try {
            ipam = IpamInfo.read(main.get("ipam"), name + " spec.config", ignored);
        } catch (NadFormatException e) {
            out.add(new LintFinding(ERROR, "ipam-missing", name, "IPAM section unreadable: " + e.getMessage(), null));
            return;
        }
        if (ipam.empty()) {
            String example = "\"ipam\": {\"type\": \"whereabouts\", \"range\": \"198.18.0.0/24\", \"gateway\": \"198.18.0.1\"}";
            String mode = main.path("mode").asText("l2");
            if (kind.equals("ipvlan") && (mode.equals("l3") || mode.equals("l3s"))) {
                out.add(new LintFinding(ERROR, "ipam-missing", name,
                        "ipvlan mode " + mode + " carries no broadcasts, so DHCP cannot work: the NIC needs an IPAM section", example));
            } else if (kind.equals("bridge") && (main.path("isGateway").asBoolean(false) || main.path("ipMasq").asBoolean(false))) {
                out.add(new LintFinding(ERROR, "ipam-missing", name,
                        "isGateway/ipMasq need an IPAM section to know the gateway address and subnet", example));
            } else if (vmaddr == null && route != null && route.route().mode() == RouteSpec.Mode.MANUAL) {
                Ipv4Prefix c = route.route().cidr();
                // Info, not warning: Harvester L2 networks with an external DHCP server look exactly like this.
                out.add(new LintFinding(INFO, "ipam-missing", name, "the NAD declares the L3 network " + c
                        + " but has no IPAM and is not a vmaddr network: only an external DHCP server gives VMs addresses",
                        "\"ipam\": {\"type\": \"whereabouts\", \"range\": \"" + c + "\", \"gateway\": \"" + route.route().gateway() + "\"}"));
            }
        } else if (vmaddr != null && ipam.cidr() != null && !ipam.cidr().equals(vmaddr.cidr())) {
            out.add(new LintFinding(ERROR, "route-mismatch", name, "IPAM subnet " + ipam.cidr() + " differs from vmaddr network "
                    + name + " (" + vmaddr.cidr() + ")", null));
        }
    }

    private void checkVlan(NadDocument doc, String kind, ObjectNode main, NetworkSpec vmaddr, List<LintFinding> out) {
        String name = doc.name();
        JsonNode v = main.get("vlan");
        Integer vlan = null;
        if (v != null && !v.isNull()) {
            if (!v.isIntegralNumber()) {
                out.add(new LintFinding(ERROR, "vlan-range", name, "vlan must be a number, found " + v, "\"vlan\": 100"));
                return;
            }
            vlan = v.asInt();
            if (vlan < 0 || vlan > 4094) {
                out.add(new LintFinding(ERROR, "vlan-range", name, "vlan " + vlan + " is outside 1-4094 (0 means untagged)", "\"vlan\": 100"));
                return;
            }
            if (vlan == 0) {
                vlan = null;
            }
        }
        String label = doc.labels().get("network.harvesterhci.io/vlan-id");
        if (label != null && !Objects.equals(label.strip(), vlan == null ? null : vlan.toString())) {
            out.add(new LintFinding(WARNING, "vlan-mismatch", name, "label network.harvesterhci.io/vlan-id \"" + label
                    + "\" differs from the config's vlan " + vlan, null));
        }
        if (vmaddr != null && kind.equals("bridge") && !Objects.equals(vlan, vmaddr.vlan())) {
            out.add(new LintFinding(ERROR, "vlan-mismatch", name, "vlan " + vlan + " differs from vmaddr network " + name
                    + " (vlan " + vmaddr.vlan() + ")", vmaddr.vlan() == null ? "remove \"vlan\"" : "\"vlan\": " + vmaddr.vlan()));
        }
    }

    private static String routeFix(NetworkSpec n) {
        return NadDocument.ROUTE_ANNOTATION + ": '" + RouteAnnotation.format(n.gateway() == null ? RouteSpec.AUTO
                : new RouteSpec(RouteSpec.Mode.MANUAL, n.cidr(), n.gateway())) + "'";
    }

    /** Small helper so messages read "cidr X differs from Y". */
    private static final class Ipv4Compare {
        static java.util.Optional<String> mismatch(String what, Object nad, Object vmaddr) {
            return Objects.equals(nad, vmaddr) ? java.util.Optional.empty()
                    : java.util.Optional.of(what + " " + nad + " differs from " + what + " " + vmaddr);
        }
    }
}
