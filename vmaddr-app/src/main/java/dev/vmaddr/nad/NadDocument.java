package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Multus {@code NetworkAttachmentDefinition} (k8s.cni.cncf.io/v1) as read from YAML: the metadata
 * that matters and the raw {@code spec.config} string. The CNI config is parsed separately
 * ({@link CniConfig#parse}) so that a NAD with bad JSON can still be linted.
 */
public record NadDocument(String name, String namespace, Map<String, String> labels,
                          Map<String, String> annotations, String config) {
    public static final String API_VERSION = "k8s.cni.cncf.io/v1";
    public static final String KIND = "NetworkAttachmentDefinition";
    public static final String ROUTE_ANNOTATION = "network.harvesterhci.io/route";

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public NadDocument {
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        annotations = Map.copyOf(annotations == null ? Map.of() : annotations);
    }

    /**
     * Reads every NAD in a YAML stream ({@code ---} separated; other kinds and empty documents are
     * skipped, a {@code List} kind is unpacked).
     *
     * @throws NadFormatException naming the document and field when YAML or a required field is bad
     */
    public static List<NadDocument> parseAll(String yaml) {
        List<NadDocument> out = new ArrayList<>();
        try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(yaml)) {
            int index = 0;
            while (parser.nextToken() != null) {
                JsonNode doc = YAML.readTree(parser);
                index++;
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                collect(doc, "document " + index, out);
            }
        } catch (IOException e) {
            throw new NadFormatException("yaml", "not valid YAML: " + firstLine(e.getMessage()));
        }
        return out;
    }

    private static void collect(JsonNode doc, String where, List<NadDocument> out) {
        if (!doc.isObject()) {
            throw new NadFormatException(where, "expected a mapping, found " + doc.getNodeType());
        }
        String kind = doc.path("kind").asText("");
        if (kind.endsWith("List") && doc.path("items").isArray()) {
            int i = 0;
            for (JsonNode item : doc.path("items")) {
                collect(item, where + " items[" + i++ + "]", out);
            }
            return;
        }
        if (!KIND.equals(kind)) {
            return;
        }
        String api = doc.path("apiVersion").asText("");
        if (!api.startsWith("k8s.cni.cncf.io/")) {
            throw new NadFormatException(where + " apiVersion", "expected " + API_VERSION + ", found \"" + api + "\"");
        }
        JsonNode meta = doc.path("metadata");
        String name = meta.path("name").asText(null);
        if (name == null || name.isBlank()) {
            throw new NadFormatException(where + " metadata.name", "missing");
        }
        JsonNode config = doc.path("spec").path("config");
        String configText;
        if (config.isTextual()) {
            configText = config.asText();
        } else if (config.isObject()) {
            // Not valid for the CRD, but people write it; keep the content and let lint say so.
            configText = config.toString();
        } else {
            throw new NadFormatException(name + " spec.config", "missing (a JSON string with the CNI config)");
        }
        out.add(new NadDocument(name, meta.path("namespace").asText(null), strings(meta.path("labels")),
                strings(meta.path("annotations")), configText));
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> m = new LinkedHashMap<>();
        if (node instanceof ObjectNode o) {
            o.properties().forEach(e -> m.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
        }
        return m;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
