package dev.vmaddr.libvirt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.store.DocumentStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which VMs libvirt manages: documents of kind {@code libvirt-domain}, keyed by VM name, holding
 * the libvirt URI and the domain's uuid. Only these are deleted when their domain is gone, and
 * only by a sync of the same URI: VMs made through the API, and VMs of another libvirt (a sync
 * pointed at the wrong URI sees no domains), are never touched. The one owner of these documents.
 */
public final class ManagedDomains {
    static final String KIND = "libvirt-domain";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DocumentStore documents;

    public ManagedDomains(DocumentStore documents) {
        this.documents = documents;
    }

    /** Names of the VMs managed through {@code uri}. */
    public Set<String> names(String uri) {
        Set<String> out = new HashSet<>();
        for (Map.Entry<String, String> e : documents.list(KIND).entrySet()) {
            if (uri.equals(read(e.getValue()).path("uri").asText())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Names of the VMs managed through any URI (reconcile from files, which name none). */
    public Set<String> allNames() {
        return new HashSet<>(documents.list(KIND).keySet());
    }

    void manage(String vm, String uri, String uuid) {
        ObjectNode doc = JSON.createObjectNode().put("uri", uri).put("uuid", uuid);
        String json = doc.toString();
        if (!documents.get(KIND, vm).map(json::equals).orElse(false)) {
            documents.put(KIND, vm, json);
        }
    }

    void forget(String vm) {
        documents.delete(KIND, vm);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
