package dev.vmaddr.kubevirt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.kubevirt.KubevirtSchema.Document;
import dev.vmaddr.kubevirt.KubevirtSchema.Interface;
import dev.vmaddr.kubevirt.KubevirtSchema.LinedDocument;
import dev.vmaddr.kubevirt.KubevirtSchema.LinedInterface;
import dev.vmaddr.kubevirt.KubevirtSchema.LinedNetwork;
import dev.vmaddr.kubevirt.KubevirtSchema.LinedStatusInterface;
import dev.vmaddr.kubevirt.KubevirtSchema.Network;
import dev.vmaddr.kubevirt.KubevirtSchema.Spec;
import dev.vmaddr.kubevirt.KubevirtSchema.StatusInterface;
import dev.vmaddr.libvirt.Domain;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads KubeVirt manifests for {@code vmaddr reconcile --from kubevirt}: YAML or JSON, one or several
 * documents per file ({@code ---}), {@code kind: List} unpacked; VirtualMachines and
 * VirtualMachineInstances of {@code kubevirt.io/*} are read, every other object (the NADs, Services,
 * DataVolumes that share such files) is skipped. Anything wrong is a {@link KubevirtException}
 * naming {@code file:line} (Jackson's location of the offending token, or of the interface or
 * document), so a caller can refuse the whole run before anything is written.
 */
public final class KubevirtManifests {
    /** A DNS label, as the inventory wants VM and NIC names (and Kubernetes object names are). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final ObjectMapper YAML = mapper();

    private KubevirtManifests() {}

    /** Every VM and VMI of one file, in file order. */
    public static List<KubevirtVm> parse(String content, String file) {
        List<KubevirtVm> out = new ArrayList<>();
        try (JsonParser parser = YAML.createParser(content)) {
            while (parser.nextToken() != null) {
                int line = parser.currentTokenLocation().getLineNr();
                if (parser.currentToken() == JsonToken.VALUE_NULL) {
                    continue; // an empty document between two ---
                }
                if (parser.currentToken() != JsonToken.START_OBJECT) {
                    throw new KubevirtException(file, line, "expected a Kubernetes object (a mapping), found \"" + parser.getText() + "\"");
                }
                collect(YAML.readValue(parser, Document.class), file, line, out);
            }
        } catch (JsonProcessingException e) {
            throw new KubevirtException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), describe(e));
        } catch (IOException e) {
            throw new KubevirtException(file, 0, e.getMessage());
        }
        return out;
    }

    /**
     * The VMs of all files: a VM and the VMI of the same namespace/name are one VM (the VM's
     * interfaces and run strategy; the VMI's status); one name twice otherwise is refused, since
     * vmaddr names a KubeVirt VM by {@code metadata.name} alone.
     */
    public static List<KubevirtVm> combine(List<KubevirtVm> all) {
        Map<String, KubevirtVm> byName = new LinkedHashMap<>();
        for (KubevirtVm v : all) {
            KubevirtVm seen = byName.get(v.name());
            if (seen == null) {
                byName.put(v.name(), v);
                continue;
            }
            if (!seen.qualifiedName().equals(v.qualifiedName())) {
                throw new KubevirtException(v.where(), v.qualifiedName() + " and " + seen.qualifiedName() + " (" + seen.where()
                        + ") would be one vmaddr VM " + v.name() + ": vmaddr names KubeVirt VMs by metadata.name; reconcile one "
                        + "namespace at a time or rename one");
            }
            if (seen.kind().equals(v.kind())) {
                throw new KubevirtException(v.where(), v.kind() + " " + v.qualifiedName() + " is also at " + seen.where());
            }
            KubevirtVm vm = seen.kind().equals(KubevirtVm.VM) ? seen : v;
            KubevirtVm vmi = seen.kind().equals(KubevirtVm.VM) ? v : seen;
            String state = Domain.AS_IS.equals(vm.state()) ? vmi.state() : vm.state();
            byName.put(v.name(), new KubevirtVm(vm.namespace(), vm.name(), KubevirtVm.VM, vm.uid(), state, vm.nics(), vmi.observed(),
                    vm.where()));
        }
        return List.copyOf(byName.values());
    }

    private static void collect(Document doc, String file, int line, List<KubevirtVm> out) {
        String where = file + ":" + line;
        if (doc.kind() == null) {
            throw new KubevirtException(where, "not a Kubernetes object: no kind");
        }
        if (doc.kind().endsWith("List") && doc.items() != null) {
            for (LinedDocument item : doc.items()) {
                if (item.doc() != null) {
                    collect(item.doc(), file, item.line(), out);
                }
            }
            return;
        }
        boolean vm = KubevirtVm.VM.equals(doc.kind());
        if (!vm && !KubevirtVm.VMI.equals(doc.kind()) || doc.apiVersion() == null || !doc.apiVersion().startsWith("kubevirt.io/")) {
            return;
        }
        String name = doc.metadata() == null ? null : doc.metadata().name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new KubevirtException(where, "metadata.name " + (name == null ? "missing" : "\"" + name
                    + "\" must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit"));
        }
        Spec spec = doc.spec();
        Spec pod = vm ? (spec == null || spec.template() == null ? null : spec.template().spec()) : spec;
        if (pod == null) {
            throw new KubevirtException(where, doc.kind() + " " + name + ": " + (vm ? "spec.template.spec" : "spec") + " missing");
        }
        List<KubevirtVm.Nic> nics = nics(pod, file, vm ? "spec.template.spec" : "spec");
        String state = vm ? vmState(doc, where) : vmiState(doc);
        List<KubevirtVm.Observed> observed = new ArrayList<>();
        if (!vm && doc.status() != null && doc.status().interfaces() != null) {
            for (LinedStatusInterface l : doc.status().interfaces()) {
                StatusInterface s = l.value();
                List<String> ips = s.ipAddresses() != null ? s.ipAddresses() : s.ipAddress() != null ? List.of(s.ipAddress()) : List.of();
                observed.add(new KubevirtVm.Observed(s.name(), s.mac(), ips, s.interfaceName(), file + ":" + l.line()));
            }
        }
        out.add(new KubevirtVm(doc.metadata().namespace(), name, doc.kind(), doc.metadata().uid(), state, nics, observed, where));
    }

    /** The interfaces paired with their networks by name, as KubeVirt pairs them. */
    private static List<KubevirtVm.Nic> nics(Spec pod, String file, String path) {
        Map<String, Network> networks = new LinkedHashMap<>();
        for (LinedNetwork l : pod.networks() == null ? List.<LinedNetwork>of() : pod.networks()) {
            Network n = l.value();
            if (n.name() == null) {
                throw new KubevirtException(file, l.line(), path + ".networks: a network without name");
            }
            if (networks.putIfAbsent(n.name(), n) != null) {
                throw new KubevirtException(file, l.line(), path + ".networks: " + n.name() + " twice");
            }
            if (!present(n.pod()) && (n.multus() == null || n.multus().networkName() == null)) {
                throw new KubevirtException(file, l.line(), path + ".networks " + n.name()
                        + ": neither pod: {} nor multus.networkName (the network sources KubeVirt has)");
            }
        }
        List<KubevirtVm.Nic> nics = new ArrayList<>();
        List<LinedInterface> interfaces = pod.domain() == null || pod.domain().devices() == null
                || pod.domain().devices().interfaces() == null ? List.of() : pod.domain().devices().interfaces();
        for (LinedInterface l : interfaces) {
            Interface i = l.value();
            String at = path + ".domain.devices.interfaces";
            if (i.name() == null || !NAME.matcher(i.name()).matches()) {
                throw new KubevirtException(file, l.line(), at + ": name " + (i.name() == null ? "missing" : "\"" + i.name()
                        + "\" must be 1-63 lower-case letters, digits or '-'"));
            }
            if (nics.stream().anyMatch(n -> n.name().equals(i.name()))) {
                throw new KubevirtException(file, l.line(), at + ": " + i.name() + " twice");
            }
            Network n = networks.get(i.name());
            if (n == null) {
                throw new KubevirtException(file, l.line(), at + " " + i.name() + ": no network of that name in " + path
                        + ".networks (KubeVirt pairs interfaces with networks by name)");
            }
            String nad = null;
            if (!present(n.pod())) {
                String full = n.multus().networkName();
                nad = full.substring(full.lastIndexOf('/') + 1); // namespace/name or name
            }
            nics.add(new KubevirtVm.Nic(i.name(), i.macAddress(), binding(i), nad, i.model(), l.line()));
        }
        return nics;
    }

    private static String binding(Interface i) {
        if (i.binding() != null && i.binding().name() != null) {
            return i.binding().name();
        }
        return present(i.masquerade()) ? "masquerade" : present(i.sriov()) ? "sriov" : present(i.macvtap()) ? "macvtap"
                : present(i.passt()) ? "passt" : present(i.slirp()) ? "slirp" : "bridge";
    }

    /** {@code bridge: {}} given; Jackson may bind an absent JsonNode as NullNode. */
    private static boolean present(com.fasterxml.jackson.databind.JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    /** {@code spec.running} or {@code spec.runStrategy}; else what the VM's status prints. */
    private static String vmState(Document doc, String where) {
        Spec spec = doc.spec();
        if (spec.running() != null && spec.runStrategy() != null) {
            throw new KubevirtException(where, "spec.running and spec.runStrategy both set (KubeVirt accepts one)");
        }
        if (spec.running() != null) {
            return spec.running() ? Domain.RUNNING : Domain.SHUT_OFF;
        }
        if (spec.runStrategy() != null) {
            return switch (spec.runStrategy()) {
                case "Always", "RerunOnFailure" -> Domain.RUNNING;
                case "Halted" -> Domain.SHUT_OFF;
                case "Manual", "Once", "WaitAsReceiver" -> printed(doc);
                default -> throw new KubevirtException(where, "spec.runStrategy \"" + spec.runStrategy()
                        + "\": expected Always, RerunOnFailure, Halted, Manual, Once or WaitAsReceiver");
            };
        }
        return printed(doc);
    }

    private static String printed(Document doc) {
        String printable = doc.status() == null ? null : doc.status().printableStatus();
        return "Running".equals(printable) ? Domain.RUNNING : "Stopped".equals(printable) ? Domain.SHUT_OFF : Domain.AS_IS;
    }

    /** A VMI exists to run: it runs unless its phase says it ended (or is Unknown: left as it is). */
    private static String vmiState(Document doc) {
        String phase = doc.status() == null ? null : doc.status().phase();
        if (phase == null) {
            return Domain.RUNNING;
        }
        return switch (phase) {
            case "Succeeded", "Failed" -> Domain.SHUT_OFF;
            case "Unknown" -> Domain.AS_IS;
            default -> Domain.RUNNING;
        };
    }

    /** Jackson's message with the field path it names, first line only. */
    private static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        int nl = msg.indexOf('\n');
        msg = nl < 0 ? msg : msg.substring(0, nl);
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            return path + ": " + msg;
        }
        return msg;
    }

    private static ObjectMapper mapper() {
        SimpleModule m = new SimpleModule("kubevirt-schema");
        m.addDeserializer(MacAddress.class, new JsonDeserializer<>() {
            @Override
            public MacAddress deserialize(JsonParser p, DeserializationContext c) throws IOException {
                if (!p.currentToken().isScalarValue()) {
                    throw JsonMappingException.from(p, "expected a MAC address, found " + p.currentToken());
                }
                try {
                    return MacAddress.parse(p.getText());
                } catch (RuntimeException e) {
                    throw JsonMappingException.from(p, e.getMessage());
                }
            }
        });
        m.addDeserializer(LinedDocument.class, lined(Document.class, LinedDocument::new));
        m.addDeserializer(LinedInterface.class, lined(Interface.class, LinedInterface::new));
        m.addDeserializer(LinedNetwork.class, lined(Network.class, LinedNetwork::new));
        m.addDeserializer(LinedStatusInterface.class, lined(StatusInterface.class, LinedStatusInterface::new));
        return new ObjectMapper(new YAMLFactory()).registerModule(m)
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    /** Binds {@code raw} and keeps the line it starts on (a record has nowhere else to keep it). */
    private static <R, T> JsonDeserializer<T> lined(Class<R> raw, BiFunction<Integer, R, T> make) {
        return new JsonDeserializer<>() {
            @Override
            public T deserialize(JsonParser p, DeserializationContext c) throws IOException {
                int line = p.currentTokenLocation().getLineNr();
                return make.apply(line, c.readValue(p, raw));
            }
        };
    }
}
