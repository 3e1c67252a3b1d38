package dev.vmaddr.nad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.addr.Ipv4Range;
import java.util.ArrayList;
import java.util.List;

/**
 * The L3 facts in a CNI {@code ipam} section: static addresses, whereabouts and host-local ranges.
 * {@code dhcp}, {@code vmaddr} and empty sections carry none.
 *
 * @param type "" for an empty or missing section
 */
record IpamInfo(String type, Ipv4Prefix cidr, Ipv4Address gateway, List<Ipv4Range> pools, List<Ipv4Range> exclude) {
    static final IpamInfo NONE = new IpamInfo("", null, null, List.of(), List.of());

    boolean empty() {
        return type.isEmpty();
    }

    /** @throws NadFormatException naming the field when an address in the section is malformed */
    static IpamInfo read(JsonNode ipam, String field, List<String> warnings) {
        if (ipam == null || !ipam.isObject() || ipam.isEmpty() || !ipam.hasNonNull("type")) {
            return NONE;
        }
        String type = ipam.get("type").asText();
        List<Ipv4Range> pools = new ArrayList<>();
        List<Ipv4Range> exclude = new ArrayList<>();
        Ipv4Prefix cidr = null;
        Ipv4Address gateway = null;
        switch (type) {
            case "static" -> {
                JsonNode addrs = ipam.path("addresses");
                for (int i = 0; i < addrs.size(); i++) {
                    String f = field + ".ipam.addresses[" + i + "]";
                    String a = addrs.get(i).path("address").asText(null);
                    if (a == null || a.contains(":")) {
                        continue; // IPv6 static addresses are not an IPv4 network
                    }
                    Ipv4Prefix p = hostPrefix(a, f + ".address");
                    cidr = cidr == null ? p : cidr;
                    if (gateway == null && addrs.get(i).hasNonNull("gateway")) {
                        gateway = address(addrs.get(i).get("gateway").asText(), f + ".gateway");
                    }
                }
            }
            case "whereabouts" -> {
                List<JsonNode> ranges = new ArrayList<>();
                if (ipam.has("range")) {
                    ranges.add(ipam);
                }
                ipam.path("ipRanges").forEach(ranges::add);
                for (JsonNode r : ranges) {
                    String range = r.path("range").asText("");
                    if (range.isEmpty() || range.contains(":")) {
                        continue;
                    }
                    Ipv4Prefix p = hostPrefix(range, field + ".ipam.range");
                    cidr = cidr == null ? p : cidr;
                    // whereabouts allows "192.168.2.225/28": the pool starts at the given host address.
                    Ipv4Address first = r.hasNonNull("range_start") ? address(r.get("range_start").asText(), field + ".ipam.range_start")
                            : Ipv4Address.parse(range.substring(0, range.indexOf('/'))).compareTo(p.network()) > 0
                              ? Ipv4Address.parse(range.substring(0, range.indexOf('/'))) : p.network().plus(1);
                    Ipv4Address last = r.hasNonNull("range_end") ? address(r.get("range_end").asText(), field + ".ipam.range_end")
                            : p.broadcast().plus(-1);
                    pools.add(new Ipv4Range(first, last));
                }
                if (ipam.hasNonNull("gateway")) {
                    gateway = address(ipam.get("gateway").asText(), field + ".ipam.gateway");
                }
                JsonNode ex = ipam.path("exclude");
                for (int i = 0; i < ex.size(); i++) {
                    exclude.add(Ipv4Range.parse(normalise(ex.get(i).asText(), field + ".ipam.exclude[" + i + "]")));
                }
            }
            case "host-local" -> {
                List<JsonNode> ranges = new ArrayList<>();
                if (ipam.has("subnet")) {
                    ranges.add(ipam);
                }
                ipam.path("ranges").forEach(set -> set.forEach(ranges::add));
                for (JsonNode r : ranges) {
                    String subnet = r.path("subnet").asText("");
                    if (subnet.isEmpty() || subnet.contains(":")) {
                        continue;
                    }
                    Ipv4Prefix p = hostPrefix(subnet, field + ".ipam.subnet");
                    if (cidr == null) {
                        cidr = p;
                        Ipv4Address first = r.hasNonNull("rangeStart") ? address(r.get("rangeStart").asText(), field + ".ipam.rangeStart") : p.network().plus(2);
                        Ipv4Address last = r.hasNonNull("rangeEnd") ? address(r.get("rangeEnd").asText(), field + ".ipam.rangeEnd") : p.broadcast().plus(-1);
                        pools.add(new Ipv4Range(first, last));
                        if (r.hasNonNull("gateway")) {
                            gateway = address(r.get("gateway").asText(), field + ".ipam.gateway");
                        } else {
                            gateway = p.network().plus(1); // host-local's documented default
                        }
                    } else {
                        warnings.add(field + ".ipam: only the first IPv4 range (" + cidr + ") was imported; " + p + " was ignored");
                    }
                }
            }
            case "dhcp", "vmaddr" -> { }
            default -> warnings.add(field + ".ipam: type \"" + type + "\" is not understood; no addresses imported from it");
        }
        return new IpamInfo(type, cidr, gateway, pools, exclude);
    }

    /** "10.1.2.3/24" → 10.1.2.0/24 (IPAM configs give host addresses with a length). */
    static Ipv4Prefix hostPrefix(String text, String field) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new NadFormatException(field, "\"" + text + "\" needs a /length");
        }
        try {
            Ipv4Address a = Ipv4Address.parse(text.substring(0, slash));
            int len = Integer.parseInt(text.substring(slash + 1).strip());
            int mask = len == 0 ? 0 : -1 << (32 - len);
            return new Ipv4Prefix(new Ipv4Address(a.value() & mask), len);
        } catch (IllegalArgumentException e) {
            throw new NadFormatException(field, "\"" + text + "\": " + e.getMessage());
        }
    }

    private static String normalise(String text, String field) {
        return text.contains("/") ? hostPrefix(text, field).toString() : text;
    }

    private static Ipv4Address address(String text, String field) {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new NadFormatException(field, e.getMessage());
        }
    }
}
