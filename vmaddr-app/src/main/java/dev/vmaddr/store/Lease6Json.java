package dev.vmaddr.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /**
     * The document of {@code l}: the same text Jackson writes for these fields (key order, escapes),
     * written directly because it is on the path of every DHCPv6 binding, where building a JSON tree
     * per lease cost more than the rest of the store write.
     */
    public static String write(Lease6 l) {
        StringBuilder b = new StringBuilder(320);
        b.append("{\"network\":");
        string(b, l.network());
        b.append(",\"ip\":\"").append(l.ip()).append("\",\"duid\":\"").append(l.duid()).append("\",\"iaid\":").append(l.iaid());
        b.append(",\"mac\":");
        if (l.mac() == null) {
            b.append("null");
        } else {
            b.append('"').append(l.mac()).append('"');
        }
        b.append(",\"hostname\":");
        string(b, l.hostname());
        b.append(",\"state\":");
        string(b, l.state().wireName());
        b.append(",\"expiresAt\":\"").append(l.expiresAt()).append("\",\"updatedAt\":\"").append(l.updatedAt()).append("\"}");
        return b.toString();
    }

    /** A JSON string (or null) escaped as Jackson does: quote, backslash and control characters; the rest as is. */
    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >>> 4]).append(HEX[c & 0xF]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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
