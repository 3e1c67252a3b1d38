package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.RouteSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns Multus NetworkAttachmentDefinitions (bridge, macvlan or ipvlan; one plugin or a chain) into
 * vmaddr networks. Sources of L3 facts, strongest first: a manual {@code network.harvesterhci.io/route}
 * annotation, the IPAM section, values Harvester wrote back into an auto annotation. A NAD without the
 * annotation is route mode {@code auto}, as Harvester's UI would make it.
 */
public final class NadImporter {

    /** @throws NadFormatException for YAML, JSON or fields that cannot be read, naming NAD and field */
    public List<NadImport> importAll(String yaml) {
        return NadDocument.parseAll(yaml).stream().map(this::importOne).toList();
    }

    public NadImport importOne(NadDocument doc) {
        String field = doc.name() + " spec.config";
        CniConfig cni = CniConfig.parse(doc.config(), field);
        List<String> warnings = new ArrayList<>();
        ObjectNode main = cni.mainPlugin();
        String type = cni.mainType();
        if (!CniConfig.MAIN_TYPES.contains(main.path("type").asText())) {
            throw new NadFormatException(field + " type", "\"" + main.path("type").asText()
                    + "\" is not supported; expected bridge, macvlan or ipvlan");
        }
        if (cni.name() != null && !cni.name().equals(doc.name())) {
            warnings.add(field + ".name \"" + cni.name() + "\" differs from metadata.name; the network is named \"" + doc.name() + "\"");
        }
        String iface = type.equals("bridge") ? text(main, "bridge") : text(main, "master");
        if (iface == null) {
            warnings.add(field + ": no " + (type.equals("bridge") ? "\"bridge\"" : "\"master\"") + " interface; the network has no host interface to check from");
        }
        Integer vlan = integer(main, "vlan", field, warnings);
        String vlanLabel = doc.labels().get("network.harvesterhci.io/vlan-id");
        if (vlan == null && vlanLabel != null) {
            try {
                vlan = Integer.parseInt(vlanLabel.strip());
            } catch (NumberFormatException e) {
                warnings.add(doc.name() + " metadata.labels[network.harvesterhci.io/vlan-id]: \"" + vlanLabel + "\" is not a number");
            }
        }
        if (vlan != null && vlan == 0) {
            vlan = null; // bridge CNI: 0 means untagged
        }
        if (vlan != null && (vlan < 1 || vlan > 4094)) {
            throw new NadFormatException(field + ".vlan", vlan + " is outside 1-4094");
        }
        Integer mtu = integer(main, "mtu", field, warnings);
        if (mtu != null && mtu == 0) {
            mtu = null;
        }
        JsonNode ipamNode = main.get("ipam");
        IpamInfo ipam = IpamInfo.read(ipamNode, field, warnings);

        RouteSpec route = RouteSpec.AUTO;
        Ipv4Prefix cidr = ipam.cidr();
        Ipv4Address gateway = ipam.gateway();
        String annotation = doc.annotations().get(NadDocument.ROUTE_ANNOTATION);
        if (annotation != null) {
            RouteAnnotation.Parsed parsed = RouteAnnotation.parse(annotation, doc.name());
            route = parsed.route();
            if (route.mode() == RouteSpec.Mode.MANUAL) {
                if (cidr != null && !cidr.equals(route.cidr())) {
                    warnings.add(doc.name() + ": route annotation cidr " + route.cidr() + " differs from the IPAM subnet " + cidr + "; using the annotation");
                }
                cidr = route.cidr();
                gateway = route.gateway();
            } else if (cidr == null) {
                cidr = parsed.cidrHint();
                gateway = parsed.gatewayHint();
            }
        }
        if (gateway != null && cidr != null && !cidr.contains(gateway)) {
            warnings.add(doc.name() + ": gateway " + gateway + " is outside " + cidr + "; dropped");
            gateway = null;
        }
        final Ipv4Prefix finalCidr = cidr;
        var pools = ipam.pools().stream().filter(r -> finalCidr != null && finalCidr.contains(r)).toList();
        if (pools.size() != ipam.pools().size()) {
            warnings.add(doc.name() + ": IPAM ranges outside " + cidr + " were dropped");
        }
        return new NadImport(doc.name(), doc.namespace(), type, iface, vlan, mtu, route, cidr, gateway, pools,
                ipam.exclude(), warnings);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || !v.isTextual() || v.asText().isBlank() ? null : v.asText();
    }

    private static Integer integer(JsonNode n, String key, String field, List<String> warnings) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.canConvertToInt() && v.isIntegralNumber()) {
            return v.asInt();
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().strip());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new NadFormatException(field + "." + key, "must be a number, found " + v);
    }
}
