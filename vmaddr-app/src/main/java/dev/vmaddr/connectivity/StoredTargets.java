package dev.vmaddr.connectivity;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.model.RouteSpec;
import dev.vmaddr.store.DocumentStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Check targets that are not (yet) vmaddr networks: a NAD in route mode auto without a CIDR gives a
 * bridge and a VLAN to check from but nothing to allocate from. They live in the store's documents
 * (kind {@value #KIND}) so a restarted server keeps checking them. Thread-safe as the store is.
 */
public final class StoredTargets {
    public static final String KIND = "connectivity-target";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DocumentStore documents;

    public StoredTargets(DocumentStore documents) {
        this.documents = documents;
    }

    public void put(ProbeTarget t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", t.network());
        m.put("iface", t.iface());
        m.put("vlan", t.vlan());
        m.put("mode", t.route().mode().name().toLowerCase(Locale.ROOT));
        m.put("routeCidr", str(t.route().cidr()));
        m.put("routeGateway", str(t.route().gateway()));
        m.put("cidr", str(t.cidr()));
        m.put("gateway", str(t.gateway()));
        try {
            documents.put(KIND, t.network(), JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean contains(String name) {
        return documents.get(KIND, name).isPresent();
    }

    public boolean remove(String name) {
        return documents.delete(KIND, name);
    }

    public List<ProbeTarget> all() {
        List<ProbeTarget> out = new ArrayList<>();
        for (String json : documents.list(KIND).values()) {
            try {
                JsonNode n = JSON.readTree(json);
                RouteSpec.Mode mode = RouteSpec.Mode.valueOf(n.path("mode").asText("auto").toUpperCase(Locale.ROOT));
                RouteSpec route = mode == RouteSpec.Mode.AUTO ? RouteSpec.AUTO
                        : new RouteSpec(mode, opt(n, "routeCidr", Ipv4Prefix::parse), opt(n, "routeGateway", Ipv4Address::parse));
                out.add(new ProbeTarget(n.path("network").asText(), opt(n, "iface", s -> s),
                        n.hasNonNull("vlan") ? n.get("vlan").asInt() : null, route,
                        opt(n, "cidr", Ipv4Prefix::parse), opt(n, "gateway", Ipv4Address::parse)));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                throw new IllegalStateException("stored connectivity target is unreadable: " + json, e);
            }
        }
        return out;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static <T> T opt(JsonNode n, String field, Function<String, T> parse) {
        return n.hasNonNull(field) ? parse.apply(n.get(field).asText()) : null;
    }
}
