package dev.vmaddr.api;

import dev.vmaddr.model.NetworkSpec;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The formats {@code GET /api/v1/networks/{n}/export?format=F} can write, by name. Each feature adds
 * its own at wiring time (NAD here; libvirt by the VM feature), so the route needs no change per format.
 */
public final class NetworkExports {
    /** Writes one network; {@code query} holds the request's other query parameters (first values). */
    @FunctionalInterface
    public interface Writer {
        String write(NetworkSpec network, Map<String, String> query);
    }

    public record Format(String mediaType, Writer writer) {}

    private final Map<String, Format> formats = new ConcurrentHashMap<>();

    public NetworkExports add(String name, String mediaType, Writer writer) {
        formats.put(name, new Format(mediaType, writer));
        return this;
    }

    public Format get(String name) {
        return formats.get(name);
    }

    public java.util.Set<String> names() {
        return new TreeMap<>(formats).keySet();
    }
}
