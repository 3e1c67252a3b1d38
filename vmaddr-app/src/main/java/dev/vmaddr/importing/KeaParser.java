package dev.vmaddr.importing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Kea DHCPv4: the memfile lease file {@code kea-leases4.csv} and reservations from a
 * {@code kea-dhcp4} JSON configuration.
 *
 * <p><b>The memfile is append-only.</b> Kea writes a row for every change of a lease (a renewal, a
 * release, a reclamation, a deletion with valid lifetime 0), so one address has several rows; the
 * last one read is the lease. Rows are therefore kept per address across every file given (older
 * files, such as {@code kea-leases4.csv.2} after a cleanup, first) and judged in {@link #finish}: only
 * state 0 (default) with time left is an active lease.
 *
 * <p><b>The configuration</b> is Kea's JSON with the comments Kea accepts ({@code #}, {@code //},
 * C-style): Jackson reads them itself ({@code ALLOW_JAVA_COMMENTS}, {@code ALLOW_YAML_COMMENTS}).
 * Every {@code reservations} array, wherever it is (global, in {@code subnet4}, in
 * {@code shared-networks}), is read; a reservation's errors name the line it starts on.
 */
final class KeaParser implements SourceParser {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).enable(JsonReadFeature.ALLOW_YAML_COMMENTS)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
    private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

    private record Row(ImportedLease lease, int state, long validLifetime, String origin) {}

    private final Map<Ipv4Address, Row> latest = new LinkedHashMap<>();
    private int withoutMac;

    @Override
    public void parse(String file, BufferedReader in, Instant now, ImportData out) throws IOException {
        in.mark(1 << 16);
        char[] head = new char[1 << 12];
        int got = in.read(head);
        in.reset();
        String start = got <= 0 ? "" : new String(head, 0, got).stripLeading();
        if (start.startsWith("address,")) {
            csv(file, in);
        } else {
            config(file, in, out);
        }
    }

    // ---------------------------------------------------------------- memfile

    private void csv(String file, BufferedReader in) throws IOException {
        String header = in.readLine();
        String[] names = header.strip().split(",", -1);
        Map<String, Integer> col = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            col.put(names[i], i);
        }
        for (String need : new String[] {"address", "hwaddr", "client_id", "valid_lifetime", "expire", "hostname", "state"}) {
            if (!col.containsKey(need)) {
                throw new ImportFormatException(file, 1, "the header has no column \"" + need + "\" (is this a kea-leases4.csv?)");
            }
        }
        String line;
        int n = 1;
        while ((line = in.readLine()) != null) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != names.length) {
                throw new ImportFormatException(file, n, "a row has " + names.length + " columns like the header, not " + f.length);
            }
            Ipv4Address ip = Fields.ip(f[col.get("address")], "address", file, n);
            String hw = f[col.get("hwaddr")];
            MacAddress mac = hw.isEmpty() ? null : Fields.mac(hw, "hwaddr", file, n);
            String cid = f[col.get("client_id")];
            ClientId id = cid.isEmpty() ? null : Fields.hexClientId(cid, "client_id", file, n);
            long valid = Fields.number(f[col.get("valid_lifetime")], "valid_lifetime", file, n);
            long expire = Fields.number(f[col.get("expire")], "expire", file, n);
            String hostname = unescape(f[col.get("hostname")]);
            int state = (int) Fields.number(f[col.get("state")], "state", file, n);
            ImportedLease lease = mac == null ? null
                    : new ImportedLease(ip, mac, id, hostname.isEmpty() ? null : hostname, Instant.ofEpochSecond(expire));
            if (mac == null) {
                withoutMac++;
            }
            latest.put(ip, new Row(lease, state, valid, file + ":" + n));
        }
    }

    /** Kea writes a comma inside a value as {@code &#x2c}. */
    private static String unescape(String s) {
        return s.indexOf('&') < 0 ? s : s.replace("&#x2c", ",");
    }

    @Override
    public void finish(Instant now, ImportData out) {
        int inactive = 0;
        for (Row r : latest.values()) {
            if (r.lease() != null && r.state() == 0 && r.validLifetime() > 0 && r.lease().expiresAt().isAfter(now)) {
                out.lease(r.lease());
            } else if (r.lease() != null) {
                inactive++;
            }
        }
        if (inactive > 0) {
            out.note(inactive + " addresses whose latest memfile row is not an active lease (released, declined, "
                    + "reclaimed, deleted or run out) were left out");
        }
        if (withoutMac > 0) {
            out.note(withoutMac + " memfile rows without a hardware address were left out (vmaddr leases have a MAC)");
        }
        latest.clear();
    }

    // ---------------------------------------------------------------- configuration

    private static void config(String file, BufferedReader in, ImportData out) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            p.setCodec(MAPPER);
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME && "reservations".equals(p.currentName())) {
                    if (p.nextToken() != JsonToken.START_ARRAY) {
                        throw new ImportFormatException(file, line(p), "\"reservations\" is not a list");
                    }
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        int at = line(p);
                        reservation(file, at, p.readValueAsTree(), out);
                    }
                }
            }
        } catch (JsonParseException e) {
            throw new ImportFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not Kea JSON: " + e.getOriginalMessage());
        }
    }

    private static int line(JsonParser p) {
        return p.currentTokenLocation().getLineNr();
    }

    private static void reservation(String file, int line, JsonNode r, ImportData out) {
        String ipText = text(r, "ip-address");
        MacAddress mac = r.hasNonNull("hw-address") ? Fields.mac(text(r, "hw-address"), "hw-address", file, line) : null;
        ClientId id = r.hasNonNull("client-id") ? Fields.hexClientId(text(r, "client-id"), "client-id", file, line) : null;
        if (mac == null && id == null) {
            String kind = r.has("duid") ? "duid" : r.has("circuit-id") ? "circuit-id" : r.has("flex-id") ? "flex-id" : "no identifier";
            out.note(file + ":" + line + ": reservation by " + kind + " left out (vmaddr reserves by MAC or client-id)");
            return;
        }
        if (ipText == null) {
            out.note(file + ":" + line + ": reservation without ip-address left out (a hostname only is not a reservation)");
            return;
        }
        Ipv4Address ip = Fields.ip(ipText, "ip-address", file, line);
        out.host(new ImportedHost(mac, id, ip, text(r, "hostname")));
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
