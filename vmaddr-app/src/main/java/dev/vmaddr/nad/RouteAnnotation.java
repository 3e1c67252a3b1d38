package dev.vmaddr.nad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.RouteSpec;

/**
 * Harvester's {@code network.harvesterhci.io/route} annotation: {@code {"mode":"auto"}} or
 * {@code {"mode":"manual","cidr":"10.115.24.0/21","gateway":"10.115.31.254"}}. Harvester writes back
 * learned values (and {@code serverIPAddr}, {@code connectivity}) into auto annotations; we read
 * {@code cidr}/{@code gateway} there as hints and ignore the rest.
 */
public final class RouteAnnotation {
    private RouteAnnotation() {}

    /** What an annotation says: the route spec and, in auto mode, any values Harvester had learned. */
    public record Parsed(RouteSpec route, Ipv4Prefix cidrHint, Ipv4Address gatewayHint) {}

    /** @throws NadFormatException naming the annotation and the field that is wrong */
    public static Parsed parse(String text, String nadName) {
        String field = nadName + " metadata.annotations[" + NadDocument.ROUTE_ANNOTATION + "]";
        JsonNode n;
        try {
            n = CniConfig.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new NadFormatException(field, "invalid JSON: " + e.getOriginalMessage());
        }
        if (!(n instanceof ObjectNode)) {
            throw new NadFormatException(field, "expected a JSON object like {\"mode\":\"auto\"}");
        }
        String mode = n.path("mode").asText("");
        Ipv4Prefix cidr = null;
        Ipv4Address gateway = null;
        try {
            if (n.hasNonNull("cidr") && !n.get("cidr").asText().isEmpty()) {
                cidr = Ipv4Prefix.parse(n.get("cidr").asText());
            }
        } catch (IllegalArgumentException e) {
            throw new NadFormatException(field + ".cidr", e.getMessage());
        }
        try {
            if (n.hasNonNull("gateway") && !n.get("gateway").asText().isEmpty()) {
                gateway = Ipv4Address.parse(n.get("gateway").asText());
            }
        } catch (IllegalArgumentException e) {
            throw new NadFormatException(field + ".gateway", e.getMessage());
        }
        switch (mode) {
            case "auto":
                return new Parsed(RouteSpec.AUTO, cidr, gateway);
            case "manual":
                if (cidr == null || gateway == null) {
                    throw new NadFormatException(field, "mode manual needs both \"cidr\" and \"gateway\"");
                }
                if (!cidr.contains(gateway)) {
                    throw new NadFormatException(field + ".gateway", gateway + " is not inside cidr " + cidr);
                }
                return new Parsed(new RouteSpec(RouteSpec.Mode.MANUAL, cidr, gateway), null, null);
            default:
                throw new NadFormatException(field + ".mode", "must be \"auto\" or \"manual\", found \"" + mode + "\"");
        }
    }

    public static String format(RouteSpec route) {
        ObjectNode n = CniConfig.JSON.createObjectNode();
        if (route.mode() == RouteSpec.Mode.MANUAL) {
            n.put("mode", "manual");
            n.put("cidr", route.cidr().toString());
            n.put("gateway", route.gateway().toString());
        } else {
            n.put("mode", "auto");
        }
        return n.toString();
    }
}
