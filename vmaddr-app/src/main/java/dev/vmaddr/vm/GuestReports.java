package dev.vmaddr.vm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.AddressFormatException;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.MacAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the body of {@code POST /api/v1/vms/{v}/observed} into a {@link GuestReport}:
 * <ul>
 *   <li>{@code {"source":"qemu-guest-agent","interfaces":[...]}} with the {@code return} list of
 *       {@code guest-network-get-interfaces}: {@code name}, {@code hardware-address},
 *       {@code ip-addresses[].ip-address};</li>
 *   <li>{@code {"source":"kubevirt","interfaces":[...]}} with a VMI's {@code status.interfaces}:
 *       {@code name} (the VM interface), {@code interfaceName}, {@code mac}, {@code ipAddress},
 *       {@code ipAddresses}.</li>
 * </ul>
 * The report time is the receiver's clock, not a time claimed by the sender. Errors name the field
 * ({@code interfaces[1].hardware-address}).
 */
public final class GuestReports {
    private final Clock clock;

    public GuestReports(Clock clock) {
        this.clock = clock;
    }

    /** The receiver's time, for reports made here (QEMU's rx-filter). */
    public java.time.Instant now() {
        return clock.instant();
    }

    public GuestReport parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw VmException.badInput("body", "expected a JSON object with source and interfaces");
        }
        JsonNode source = body.get("source");
        if (source == null || !source.isTextual()) {
            throw VmException.badInput("source", "missing; qemu-guest-agent or kubevirt");
        }
        JsonNode list = body.get("interfaces");
        if (list == null || !list.isArray()) {
            throw VmException.badInput("interfaces", "missing or not a list");
        }
        return switch (source.asText()) {
            case GuestReport.QEMU_GUEST_AGENT -> qemuGuestAgent(list);
            case GuestReport.KUBEVIRT -> kubevirt(list);
            default -> throw VmException.badInput("source",
                    "\"" + source.asText() + "\" is not qemu-guest-agent or kubevirt");
        };
    }

    /** The {@code return} list of the guest agent's {@code guest-network-get-interfaces}. */
    public GuestReport qemuGuestAgent(JsonNode list) {
        List<GuestInterface> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "interfaces[" + i + "]";
            JsonNode e = list.get(i);
            String name = text(e, "name", at, true);
            MacAddress mac = mac(text(e, "hardware-address", at, false), at + ".hardware-address");
            Set<String> ips = new LinkedHashSet<>();
            JsonNode addrs = e.get("ip-addresses");
            if (addrs != null && !addrs.isNull()) {
                if (!addrs.isArray()) {
                    throw VmException.badInput(at + ".ip-addresses", "not a list");
                }
                for (int j = 0; j < addrs.size(); j++) {
                    String a = at + ".ip-addresses[" + j + "]";
                    ips.add(ip(text(addrs.get(j), "ip-address", a, true), a + ".ip-address"));
                }
            }
            out.add(new GuestInterface(name, name, mac, List.copyOf(ips)));
        }
        return new GuestReport(GuestReport.QEMU_GUEST_AGENT, clock.instant(), out);
    }

    /** A KubeVirt VMI's {@code status.interfaces}. */
    public GuestReport kubevirt(JsonNode list) {
        List<GuestInterface> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "interfaces[" + i + "]";
            JsonNode e = list.get(i);
            // Interfaces the guest agent found but KubeVirt cannot tie to a VM interface have no name.
            String name = text(e, "name", at, false);
            String ifName = text(e, "interfaceName", at, false);
            MacAddress mac = mac(text(e, "mac", at, false), at + ".mac");
            Set<String> ips = new LinkedHashSet<>();
            String one = text(e, "ipAddress", at, false);
            if (one != null) {
                ips.add(ip(one, at + ".ipAddress"));
            }
            JsonNode many = e.get("ipAddresses");
            if (many != null && !many.isNull()) {
                if (!many.isArray()) {
                    throw VmException.badInput(at + ".ipAddresses", "not a list");
                }
                for (int j = 0; j < many.size(); j++) {
                    if (!many.get(j).isTextual()) {
                        throw VmException.badInput(at + ".ipAddresses[" + j + "]", "not a string");
                    }
                    ips.add(ip(many.get(j).asText(), at + ".ipAddresses[" + j + "]"));
                }
            }
            out.add(new GuestInterface(name, ifName, mac, List.copyOf(ips)));
        }
        return new GuestReport(GuestReport.KUBEVIRT, clock.instant(), out);
    }

    private static String text(JsonNode e, String field, String at, boolean required) {
        if (e == null || !e.isObject()) {
            throw VmException.badInput(at, "not an object");
        }
        JsonNode v = e.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw VmException.badInput(at + "." + field, "missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw VmException.badInput(at + "." + field, "not a string");
        }
        return v.asText();
    }

    private static MacAddress mac(String text, String field) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return MacAddress.parse(text);
        } catch (AddressFormatException e) {
            throw VmException.badInput(field, e.getMessage());
        }
    }

    /** Canonical text of an IPv4 or IPv6 address; a zone ({@code %eth0}) is dropped. */
    static String ip(String text, String field) {
        String s = text.strip();
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        try {
            return s.indexOf(':') >= 0 ? Ipv6Address.parse(s).toString() : Ipv4Address.parse(s).toString();
        } catch (AddressFormatException e) {
            throw VmException.badInput(field, e.getMessage());
        }
    }
}
