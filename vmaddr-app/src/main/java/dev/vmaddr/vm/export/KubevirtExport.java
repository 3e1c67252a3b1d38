package dev.vmaddr.vm.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.vm.Nic;
import dev.vmaddr.vm.Vm;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A KubeVirt {@code VirtualMachine} snippet: {@code spec.template.spec.domain.devices.interfaces}
 * (bridge binding, {@code macAddress} = the NIC's spec MAC) and {@code spec.template.spec.networks}
 * (Multus, {@code networkName} = the vmaddr network), followed by the NetworkAttachmentDefinition of
 * every network the VM uses, each as its own YAML document.
 *
 * <p>Setting {@code macAddress} here is what keeps the VM object, the pod interface and the guest
 * on one MAC (seed 000); changing it later goes through vmaddr's set-mac and a restart.
 */
public final class KubevirtExport {
    static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private KubevirtExport() {}

    /**
     * @param nad writes one network's NetworkAttachmentDefinition as a YAML document (bridge or
     *            macvlan + tuning, as the caller chooses)
     */
    public static String virtualMachine(Vm vm, Function<String, NetworkSpec> networks, Function<NetworkSpec, String> nad) {
        ObjectNode root = YAML.createObjectNode();
        root.put("apiVersion", "kubevirt.io/v1");
        root.put("kind", "VirtualMachine");
        root.putObject("metadata").put("name", vm.name());
        ObjectNode podSpec = root.putObject("spec").putObject("template").putObject("spec");
        ArrayNode interfaces = podSpec.putObject("domain").putObject("devices").putArray("interfaces");
        ArrayNode nets = podSpec.putArray("networks");
        Map<String, NetworkSpec> used = new LinkedHashMap<>();
        for (Nic nic : vm.nics()) {
            NetworkSpec net = NicSource.network(networks, nic);
            used.putIfAbsent(net.name(), net);
            ObjectNode itf = interfaces.addObject();
            itf.put("name", nic.name());
            itf.putObject("bridge");
            itf.put("macAddress", NicSource.mac(vm, nic));
            ObjectNode n = nets.addObject();
            n.put("name", nic.name());
            n.putObject("multus").put("networkName", net.name());
        }
        StringBuilder out = new StringBuilder(write(root));
        for (NetworkSpec net : used.values()) {
            String doc = nad.apply(net).strip();
            if (doc.startsWith("---")) {
                doc = doc.substring(3).strip();
            }
            out.append("---\n").append(doc).append('\n');
        }
        return out.toString();
    }

    private static String write(ObjectNode node) {
        try {
            return YAML.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }
}
