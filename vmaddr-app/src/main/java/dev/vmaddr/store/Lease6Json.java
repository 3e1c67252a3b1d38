package dev.vmaddr.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import java.time.Instant;

/**
 * A DHCPv6 lease as a document: kind {@link #KIND}, one per network and address (key
 * {@code network|ip}), text fields an operator can read ({@link DocumentLease6Store}: the embedded
 * and memory stores). PostgreSQL keeps them in table {@code lease6} instead; its migration V6 reads
 * these documents' fields.
 */
public final class Lease6Json {
    public static final String KIND = "lease6";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Lease6Json() {}

    public static String key(Lease6 l) {
        return l.network() + "|" + l.ip();
    }

    public static String write(Lease6 l) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("network", l.network());
        o.put("ip", l.ip().toString());
        o.put("duid", l.duid().toString());
        o.put("iaid", l.iaid());
        o.put("mac", l.mac() == null ? null : l.mac().toString());
        o.put("hostname", l.hostname());
        o.put("state", l.state().wireName());
        o.put("expiresAt", l.expiresAt().toString());
        o.put("updatedAt", l.updatedAt().toString());
        return o.toString();
    }

    public static Lease6 read(String json) {
        try {
            JsonNode o = MAPPER.readTree(json);
            return new Lease6(o.path("network").asText(), Ipv6Address.parse(o.path("ip").asText()),
                    Duid.parse(o.path("duid").asText()), o.path("iaid").asLong(),
                    o.path("mac").isTextual() ? MacAddress.parse(o.path("mac").asText()) : null,
                    o.path("hostname").isTextual() ? o.path("hostname").asText() : null,
                    LeaseState.fromWireName(o.path("state").asText()), Instant.parse(o.path("expiresAt").asText()),
                    Instant.parse(o.path("updatedAt").asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("stored DHCPv6 lease is not readable: " + e.getMessage(), e);
        }
    }
}
