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
 * the VM's NIC is applied (seed 001). The IPAM section is empty (addresses come from vmaddr's DHCP)
 * unless {@link VmaddrIpam vmaddr's CNI IPAM plugin} is asked for.
 */
public final class NadExporter {
    public static final String CNI_VERSION = "0.3.1";

    public enum CniType { BRIDGE, MACVLAN }

    /**
     * @param namespace Kubernetes namespace, or null to leave it out
     * @param ipam      vmaddr's CNI IPAM plugin for the chain, or null for an empty IPAM section (DHCP)
     */
    public record Options(CniType type, String namespace, VmaddrIpam ipam) {
        public static final Options BRIDGE = new Options(CniType.BRIDGE, null, null);

        public Options(CniType type, String namespace) {
            this(type, namespace, null);
        }
    }

    /**
     * {@code "ipam": {"type": "vmaddr", "network", "server", "tokenFile"}} (PRODUCT.md "CNI IPAM
     * plugin"). With it the main plugin declares capabilities.mac as well as tuning: the IPAM plugin
     * is exec'd by the main plugin with the main plugin's config, so only then does it see the
     * requested MAC under any runtime (docs/cni.md, the MAC table).
     */
    public record VmaddrIpam(String server, String tokenFile) {
        public static final VmaddrIpam DEFAULT = new VmaddrIpam("unix:/run/vmaddr/api.sock", "/etc/vmaddr/api-token");
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
        doc.put("spec", Map.of("config", cniConfig(network, options.type(), options.ipam())));
        try {
            return NadDocument.YAML.writeValueAsString(doc);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write NAD YAML", e);
        }
    }

    /** The CNI config JSON alone (what goes into {@code spec.config}). */
    public String cniConfig(NetworkSpec network, CniType type) {
        return cniConfig(network, type, null);
    }

    /** @param ipam null: an empty IPAM section (vmaddr's DHCP gives the address) */
    public String cniConfig(NetworkSpec network, CniType type, VmaddrIpam ipam) {
        requireInterface(network);
        if (type == CniType.BRIDGE && ipam != null) {
            ObjectNode br = bridgePlugin(network);
            br.remove("cniVersion");
            br.remove("name");
            br.set("ipam", ipamSection(network, ipam));
            br.putObject("capabilities").put("mac", true);
            return CniConfig.chainJson(CNI_VERSION, network.name(), List.of(br, tuningPlugin()));
        }
        if (type == CniType.BRIDGE) {
            return bridgePlugin(network).toString();
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
        if (ipam != null) {
            mv.set("ipam", ipamSection(network, ipam));
        } else {
            mv.putObject("ipam");
        }
        mv.putObject("capabilities").put("mac", true);
        plugins.add(mv);
        plugins.add(tuningPlugin());
        return CniConfig.chainJson(CNI_VERSION, network.name(), plugins);
    }

    private static ObjectNode bridgePlugin(NetworkSpec network) {
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
        return n;
    }

    private static ObjectNode ipamSection(NetworkSpec network, VmaddrIpam ipam) {
        ObjectNode i = CniConfig.JSON.createObjectNode();
        i.put("type", "vmaddr");
        i.put("network", network.name());
        i.put("server", ipam.server());
        i.put("tokenFile", ipam.tokenFile());
        return i;
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
