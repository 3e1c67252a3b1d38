package dev.vmaddr.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A parsed document (YAML config file or JSON API body) as maps, lists and scalars, each with the
 * line it started on. The config file and the API share one reader ({@link NetworkReader}) over this
 * tree, so a network is checked the same way however it arrives; the file's lines make its error
 * messages {@code file:line: field: problem}.
 */
public sealed interface Tree {
    /** 1-based line where the node starts; 0 when unknown (JSON bodies). */
    int line();

    record MapTree(Map<String, Entry> entries, int line) implements Tree {}

    /** A map entry: the key's own line (what an "unknown key" error points at) and the value. */
    record Entry(int keyLine, Tree value) {}

    record ListTree(List<Tree> items, int line) implements Tree {}

    /** A scalar; {@code text} is null for YAML {@code null}/{@code ~}/empty and JSON null. */
    record Scalar(String text, int line) implements Tree {}

    static Tree fromYaml(Node node) {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        return switch (node) {
            case MappingNode m -> {
                Map<String, Entry> entries = new LinkedHashMap<>();
                for (NodeTuple t : m.getValue()) {
                    String key = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : String.valueOf(t.getKeyNode());
                    int keyLine = t.getKeyNode().getStartMark().getLine() + 1;
                    entries.put(key, new Entry(keyLine, fromYaml(t.getValueNode())));
                }
                yield new MapTree(entries, line);
            }
            case SequenceNode s -> {
                List<Tree> items = new ArrayList<>();
                for (Node n : s.getValue()) {
                    items.add(fromYaml(n));
                }
                yield new ListTree(items, line);
            }
            case ScalarNode s -> {
                boolean isNull = s.getTag().getValue().endsWith(":null");
                yield new Scalar(isNull ? null : s.getValue(), line);
            }
            default -> new Scalar(null, line);
        };
    }

    static Tree fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new Scalar(null, 0);
        }
        if (node.isObject()) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                entries.put(e.getKey(), new Entry(0, fromJson(e.getValue())));
            }
            return new MapTree(entries, 0);
        }
        if (node.isArray()) {
            List<Tree> items = new ArrayList<>();
            node.forEach(n -> items.add(fromJson(n)));
            return new ListTree(items, 0);
        }
        return new Scalar(node.asText(), 0);
    }
}
