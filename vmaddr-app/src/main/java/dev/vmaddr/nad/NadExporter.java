package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.RouteSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a vmaddr network as a NetworkAttachmentDefinition that is correct by construction:
 * the Harvester route annotation, and for macvlan a chain whose plugins declare
 * {@code capabilities: {mac: true}} with the {@code tuning} plugin after it, so a MAC requested for
 * the VM's NIC is applied (seed 001). The IPAM section is empty: addresses come from vmaddr's DHCP.
 */
public final class NadExporter {
    public static final String CNI_VERSION = "0.3.1";

    public enum CniType { BRIDGE, MACVLAN }

    /** @param namespace Kubernetes namespace, or null to leave it out */
    public record Options(CniType type, String namespace) {
        public static final Options BRIDGE = new Options(CniType.BRIDGE, null);
    }

    public String export(NetworkSpec network) {
        return export(network, Options.BRIDGE);
    }

    public String export(NetworkSpec network, Options options) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", network.name());
        if (options.namespace() != null) {
            metadata.put("namespace", options.namespace());
        }
        RouteSpec route = network.route();
        metadata.put("annotations", Map.of(NadDocument.ROUTE_ANNOTATION, RouteAnnotation.format(route)));
        if (options.type() == CniType.BRIDGE) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("network.harvesterhci.io/type", network.vlan() != null ? "L2VlanNetwork" : "UntaggedNetwork");
            if (network.vlan() != null) {
                labels.put("network.harvesterhci.io/vlan-id", network.vlan().toString());
            }
            metadata.put("labels", labels);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("apiVersion", NadDocument.API_VERSION);
        doc.put("kind", NadDocument.KIND);
        doc.put("metadata", metadata);
        doc.put("spec", Map.of("config", cniConfig(network, options.type())));
        try {
            return NadDocument.YAML.writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write NAD YAML", e);
        }
    }

    /** The CNI config JSON alone (what goes into {@code spec.config}). */
    public String cniConfig(NetworkSpec network, CniType type) {
        requireInterface(network);
        if (type == CniType.BRIDGE) {
            ObjectNode n = CniConfig.JSON.createObjectNode();
            n.put("cniVersion", CNI_VERSION);
            n.put("name", network.name());
            n.put("type", "bridge");
            n.put("bridge", network.bridge());
            n.put("promiscMode", true);
            if (network.vlan() != null) {
                n.put("vlan", network.vlan());
            }
            if (network.mtu() != null) {
                n.put("mtu", network.mtu());
            }
            n.putObject("ipam");
            return n.toString();
        }
        if (network.vlan() != null && !network.bridge().contains(".")) {
            // macvlan has no vlan key: the master must already be the VLAN interface.
            throw new IllegalArgumentException("network " + network.name() + ": vlan " + network.vlan()
                    + " with macvlan needs bridge set to the VLAN interface (e.g. " + network.bridge() + "." + network.vlan() + ")");
        }
        List<ObjectNode> plugins = new ArrayList<>();
        ObjectNode mv = CniConfig.JSON.createObjectNode();
        mv.put("type", "macvlan");
        mv.put("master", network.bridge());
        mv.put("mode", "bridge");
        if (network.mtu() != null) {
            mv.put("mtu", network.mtu());
        }
        mv.putObject("ipam");
        mv.putObject("capabilities").put("mac", true);
        plugins.add(mv);
        plugins.add(tuningPlugin());
        return CniConfig.chainJson(CNI_VERSION, network.name(), plugins);
    }

    static ObjectNode tuningPlugin() {
        ObjectNode t = CniConfig.JSON.createObjectNode();
        t.put("type", "tuning");
        t.putObject("capabilities").put("mac", true);
        return t;
    }

    private static void requireInterface(NetworkSpec network) {
        if (network.bridge() == null || network.bridge().isBlank()) {
            throw new IllegalArgumentException("network " + network.name() + ": bridge (the host interface) is needed to export a NAD");
        }
    }
}
