package dev.vmaddr.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON forms of VMs: the stored document (everything, for {@code documents()} kind {@code vm}) and
 * the API shape ({@code {"name","host","state","nics":[{"name","network","mac","pendingMac","ip",
 * "ipv6Slaac","ipv6","observed"}]}}). Written by hand rather than by reflection so that renaming a record
 * component cannot silently change a fixed contract or make old documents unreadable.
 */
public final class VmJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private VmJson() {}

    // ---- API ----

    public static ObjectNode view(VmView v) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", v.name());
        o.put("host", v.host());
        o.put("state", v.state().wireName());
        ArrayNode nics = o.putArray("nics");
        v.nics().forEach(n -> nics.add(nic(n)));
        return o;
    }

    public static ObjectNode nic(NicView n) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", n.name());
        o.put("network", n.network());
        o.put("mac", str(n.mac()));
        o.put("pendingMac", str(n.pendingMac()));
        o.put("ip", str(n.ip()));
        o.put("ipv6Slaac", str(n.ipv6Slaac()));
        o.put("ipv6", str(n.ipv6()));
        o.set("observed", observation(n.observed()));
        return o;
    }

    public static ObjectNode drift(String vm, List<DriftFinding> findings) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("vm", vm);
        ArrayNode a = o.putArray("findings");
        for (DriftFinding f : findings) {
            ObjectNode e = a.addObject();
            e.put("nic", f.nic());
            e.put("kind", f.kind().wireName());
            e.put("expected", f.expected());
            e.put("observed", f.observed());
            e.put("fix", f.fix());
        }
        return o;
    }

    private static JsonNode observation(Observation ob) {
        if (ob == null) {
            return MAPPER.nullNode();
        }
        ObjectNode o = MAPPER.createObjectNode();
        o.put("mac", str(ob.mac()));
        ArrayNode ips = o.putArray("ips");
        ob.ips().forEach(ips::add);
        o.put("source", ob.source());
        o.put("at", ob.at().toString());
        o.put("interfaceName", ob.interfaceName());
        return o;
    }

    // ---- stored document ----

    public static String toDocument(Vm vm) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", vm.name());
        o.put("host", vm.host());
        o.put("state", vm.state().wireName());
        o.put("createdAt", vm.createdAt().toString());
        o.put("updatedAt", vm.updatedAt().toString());
        ArrayNode nics = o.putArray("nics");
        for (Nic n : vm.nics()) {
            ObjectNode e = nics.addObject();
            e.put("name", n.name());
            e.put("network", n.network());
            e.put("mac", str(n.mac()));
            e.put("pendingMac", str(n.pendingMac()));
            e.put("ip", str(n.ip()));
            e.set("observed", observation(n.observed()));
        }
        if (vm.report() != null) {
            ObjectNode r = o.putObject("report");
            r.put("source", vm.report().source());
            r.put("at", vm.report().at().toString());
            ArrayNode missing = r.putArray("missingNics");
            vm.report().missingNics().forEach(missing::add);
            ArrayNode unknown = r.putArray("unknown");
            for (GuestInterface g : vm.report().unknown()) {
                ObjectNode u = unknown.addObject();
                u.put("name", g.name());
                u.put("interfaceName", g.interfaceName());
                u.put("mac", str(g.mac()));
                ArrayNode ips = u.putArray("ips");
                g.ips().forEach(ips::add);
            }
        }
        return o.toString();
    }

    public static Vm fromDocument(String json) {
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored VM document is not JSON: " + e.getOriginalMessage(), e);
        }
        List<Nic> nics = new ArrayList<>();
        for (JsonNode e : o.path("nics")) {
            nics.add(new Nic(e.get("name").asText(), e.get("network").asText(), mac(e.get("mac")),
                    mac(e.get("pendingMac")), ip(e.get("ip")), readObservation(e.get("observed"))));
        }
        ReportSummary report = null;
        JsonNode r = o.get("report");
        if (r != null && !r.isNull()) {
            List<String> missing = new ArrayList<>();
            r.path("missingNics").forEach(m -> missing.add(m.asText()));
            List<GuestInterface> unknown = new ArrayList<>();
            for (JsonNode u : r.path("unknown")) {
                unknown.add(new GuestInterface(text(u.get("name")), text(u.get("interfaceName")), mac(u.get("mac")),
                        strings(u.get("ips"))));
            }
            report = new ReportSummary(r.get("source").asText(), Instant.parse(r.get("at").asText()), missing, unknown);
        }
        return new Vm(o.get("name").asText(), text(o.get("host")), VmState.fromWireName(o.get("state").asText()), nics,
                report, Instant.parse(o.get("createdAt").asText()), Instant.parse(o.get("updatedAt").asText()));
    }

    public static String toDocument(UnknownMac u) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("network", u.network());
        o.put("mac", u.mac().toString());
        o.put("ip", u.ip().toString());
        o.put("at", u.at().toString());
        return o.toString();
    }

    public static UnknownMac unknownFromDocument(String json) {
        try {
            JsonNode o = MAPPER.readTree(json);
            return new UnknownMac(o.get("network").asText(), mac(o.get("mac")), ip(o.get("ip")),
                    Instant.parse(o.get("at").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored unknown-MAC document is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Observation readObservation(JsonNode o) {
        if (o == null || o.isNull()) {
            return null;
        }
        return new Observation(mac(o.get("mac")), strings(o.get("ips")), o.get("source").asText(),
                Instant.parse(o.get("at").asText()), text(o.get("interfaceName")));
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        if (a != null) {
            a.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static MacAddress mac(JsonNode n) {
        return n == null || n.isNull() ? null : MacAddress.parse(n.asText());
    }

    private static Ipv4Address ip(JsonNode n) {
        return n == null || n.isNull() ? null : Ipv4Address.parse(n.asText());
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
