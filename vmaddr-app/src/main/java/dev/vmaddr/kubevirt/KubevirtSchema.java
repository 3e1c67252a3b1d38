package dev.vmaddr.kubevirt;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.MacAddress;
import java.util.List;

/**
 * The fields of KubeVirt's {@code kubevirt.io/v1} schema that reconcile reads, as Jackson binds them
 * (every other field is ignored). One record per schema type, named after it; {@code Lined*} ones
 * carry the line they start on, for messages.
 */
final class KubevirtSchema {
    private KubevirtSchema() {}

    /** A document: a VirtualMachine, a VirtualMachineInstance, a List of them, or anything else (skipped). */
    record Document(String apiVersion, String kind, ObjectMeta metadata, Spec spec, Status status, List<LinedDocument> items) {}

    record LinedDocument(int line, Document doc) {}

    record ObjectMeta(String name, String namespace, String uid) {}

    /**
     * The spec of a VirtualMachine ({@code running}, {@code runStrategy}, {@code template}) or of a
     * VirtualMachineInstance ({@code domain}, {@code networks}): one record takes both.
     */
    record Spec(Boolean running, String runStrategy, Template template, DomainSpec domain, List<LinedNetwork> networks) {}

    record Template(Spec spec) {}

    record DomainSpec(Devices devices) {}

    record Devices(List<LinedInterface> interfaces) {}

    /** {@code binding} is the network binding plugin form ({@code binding: {name: passt}}). */
    record Interface(String name, MacAddress macAddress, String model, JsonNode bridge, JsonNode masquerade, JsonNode sriov,
                     JsonNode macvtap, JsonNode passt, JsonNode slirp, PluginBinding binding) {}

    record PluginBinding(String name) {}

    record LinedInterface(int line, Interface value) {}

    record Network(String name, JsonNode pod, Multus multus) {}

    record LinedNetwork(int line, Network value) {}

    record Multus(String networkName, @JsonProperty("default") Boolean isDefault) {}

    /** A VMI's status ({@code phase}, {@code interfaces}) or a VM's ({@code printableStatus}). */
    record Status(String phase, List<LinedStatusInterface> interfaces, String printableStatus) {}

    record StatusInterface(String name, MacAddress mac, String ipAddress, List<String> ipAddresses, String interfaceName) {}

    record LinedStatusInterface(int line, StatusInterface value) {}
}
