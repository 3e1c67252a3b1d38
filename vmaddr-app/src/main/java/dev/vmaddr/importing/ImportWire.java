package dev.vmaddr.importing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of {@code POST /api/v1/networks/{n}/import}: NDJSON ({@code application/x-ndjson}), one
 * record a line, {@code {"host":{...}}} or {@code {"lease":{...}}} with the fields of
 * {@link ImportedHost} and {@link ImportedLease} ({@code expiresAt} in seconds since the epoch).
 *
 * <p>Why a stream and not one JSON document: an import of a million leases is ~90 MB, far over the
 * API's 1 MiB JSON body limit; this route alone takes up to {@link #MAX_BODY_BYTES}, read record by
 * record with Jackson's streaming parser (no tree of the whole body), and at most
 * {@link #MAX_RECORDS} records.
 */
public final class ImportWire {
    public static final String MEDIA_TYPE = "application/x-ndjson";
    public static final long MAX_BODY_BYTES = 512L << 20;
    public static final int MAX_RECORDS = 4_000_000;
    private static final int MAX_STRING = 1024;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(4).build())
            .build();

    private ImportWire() {
    }

    /** The records, in the order {@link #read} gives them back: hosts, then leases. */
    public static void write(ImportData data, Writer out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
            for (ImportedHost h : data.hosts()) {
                g.writeStartObject();
                g.writeObjectFieldStart("host");
                g.writeStringField("ip", h.ip().toString());
                optional(g, "mac", h.mac());
                optional(g, "clientId", h.clientId() == null ? null : h.clientId().hex());
                optional(g, "hostname", h.hostname());
                g.writeEndObject();
                g.writeEndObject();
            }
            for (ImportedLease l : data.leases()) {
                g.writeStartObject();
                g.writeObjectFieldStart("lease");
                g.writeStringField("ip", l.ip().toString());
                g.writeStringField("mac", l.mac().toString());
                optional(g, "clientId", l.clientId() == null ? null : l.clientId().hex());
                optional(g, "hostname", l.hostname());
                g.writeNumberField("expiresAt", l.expiresAt().getEpochSecond());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeRaw('\n');
        }
    }

    private static void optional(JsonGenerator g, String name, Object value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value.toString());
        }
    }

    /** What a body holds. */
    public record Records(List<ImportedHost> hosts, List<ImportedLease> leases) {}

    /** A body that is not this format: the line and the problem. */
    public static final class WireException extends Exception {
        public WireException(long line, String problem) {
            super("line " + line + ": " + problem);
        }
    }

    public static Records read(InputStream in) throws IOException, WireException {
        List<ImportedHost> hosts = new ArrayList<>();
        List<ImportedLease> leases = new ArrayList<>();
        try (JsonParser p = JSON.createParser(in)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                long line = p.currentTokenLocation().getLineNr();
                if (t != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
                    throw new WireException(line, "expected {\"host\":{...}} or {\"lease\":{...}}");
                }
                String kind = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new WireException(line, "\"" + kind + "\" is not an object");
                }
                String ip = null;
                String mac = null;
                String clientId = null;
                String hostname = null;
                Long expiresAt = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (field) {
                        case "ip" -> ip = p.getValueAsString();
                        case "mac" -> mac = p.getValueAsString();
                        case "clientId" -> clientId = p.getValueAsString();
                        case "hostname" -> hostname = p.getValueAsString();
                        case "expiresAt" -> {
                            if (v != JsonToken.VALUE_NUMBER_INT) {
                                throw new WireException(line, "expiresAt is not a number of seconds");
                            }
                            expiresAt = p.getLongValue();
                        }
                        default -> throw new WireException(line, "unknown field \"" + field + "\"");
                    }
                }
                if (p.nextToken() != JsonToken.END_OBJECT) {
                    throw new WireException(line, "one record per object");
                }
                if (hosts.size() + leases.size() >= MAX_RECORDS) {
                    throw new WireException(line, "more than " + MAX_RECORDS + " records in one import");
                }
                try {
                    Ipv4Address a = Ipv4Address.parse(ip);
                    MacAddress m = mac == null ? null : MacAddress.parse(mac);
                    ClientId c = clientId == null ? null : ClientId.parse(clientId);
                    switch (kind) {
                        case "host" -> hosts.add(new ImportedHost(m, c, a, hostname));
                        case "lease" -> {
                            if (expiresAt == null || m == null) {
                                throw new WireException(line, "a lease needs mac and expiresAt");
                            }
                            leases.add(new ImportedLease(a, m, c, hostname, Instant.ofEpochSecond(expiresAt)));
                        }
                        default -> throw new WireException(line, "unknown record \"" + kind + "\"");
                    }
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new WireException(line, e.getMessage() == null ? "a field is missing" : e.getMessage());
                }
            }
        } catch (JsonProcessingException e) {
            throw new WireException(e.getLocation() == null ? 0 : e.getLocation().getLineNr(), e.getOriginalMessage());
        }
        return new Records(hosts, leases);
    }
}
