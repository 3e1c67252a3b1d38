package dev.vmaddr.nad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A CNI network configuration: either one plugin (the object itself) or a {@code plugins} chain
 * (conflist). Plugins are kept as JSON trees because CNI plugins carry keys we do not model and the
 * linter must show them back unchanged in its fixes.
 */
public record CniConfig(String cniVersion, String name, List<ObjectNode> plugins, boolean chained) {
    /** CNI types that attach a NIC to a host interface; the first one in a chain is the "main" plugin. */
    public static final Set<String> MAIN_TYPES = Set.of("bridge", "macvlan", "ipvlan", "cnv-bridge", "ovs");

    static final ObjectMapper JSON = new ObjectMapper();

    public CniConfig {
        plugins = List.copyOf(plugins);
    }

    /**
     * @param field where the text came from, for messages ("vlan2011 spec.config")
     * @throws NadFormatException invalid JSON (with line and column) or a shape that is not a CNI config
     */
    public static CniConfig parse(String text, String field) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String at = loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
            throw new NadFormatException(field, "invalid JSON" + at + ": " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new NadFormatException(field, "expected a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        List<ObjectNode> plugins = new ArrayList<>();
        boolean chained = obj.has("plugins");
        if (chained) {
            JsonNode list = obj.get("plugins");
            if (!list.isArray() || list.isEmpty()) {
                throw new NadFormatException(field + " plugins", "must be a non-empty array of plugin objects");
            }
            int i = 0;
            for (JsonNode p : list) {
                if (!(p instanceof ObjectNode po) || !po.path("type").isTextual()) {
                    throw new NadFormatException(field + " plugins[" + i + "]", "must be an object with a \"type\"");
                }
                plugins.add(po);
                i++;
            }
        } else {
            if (!obj.path("type").isTextual()) {
                throw new NadFormatException(field + " type", "missing (or give a \"plugins\" chain)");
            }
            plugins.add(obj);
        }
        return new CniConfig(obj.path("cniVersion").asText(null), obj.path("name").asText(null), plugins, chained);
    }

    /** The plugin that creates the interface (bridge/macvlan/ipvlan), or the first plugin. */
    public ObjectNode mainPlugin() {
        return plugins.stream().filter(p -> MAIN_TYPES.contains(p.path("type").asText())).findFirst().orElse(plugins.getFirst());
    }

    public String mainType() {
        String t = mainPlugin().path("type").asText();
        return t.equals("cnv-bridge") ? "bridge" : t;
    }

    public Optional<ObjectNode> plugin(String type) {
        return plugins.stream().filter(p -> type.equals(p.path("type").asText())).findFirst();
    }

    /** The chain as JSON text ({@code {"cniVersion":..,"name":..,"plugins":[..]}}). */
    public static String chainJson(String cniVersion, String name, List<ObjectNode> plugins) {
        ObjectNode root = JSON.createObjectNode();
        root.put("cniVersion", cniVersion == null ? "0.3.1" : cniVersion);
        if (name != null) {
            root.put("name", name);
        }
        var arr = root.putArray("plugins");
        plugins.forEach(arr::add);
        return root.toString();
    }
}
