package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * dnsmasq: its lease file ({@code dhcp-leasefile}, one lease a line:
 * {@code EXPIRY MAC IP HOSTNAME|* CLIENT-ID|*}, expiry 0 for an infinite lease; {@code duid} and
 * DHCPv6 lines are left out) and its configuration's {@code dhcp-host=} lines.
 *
 * <p>Which of the two a file is shows in its first line that is not blank or a comment: a lease
 * file starts with a number. In a lease file every line must be a lease; in a configuration every
 * line must be an option ({@code name} or {@code name=value}), and {@code dhcp-host=} values must
 * parse. The lease loop splits on spaces by hand: it is what a million-line import spends its time
 * on.
 */
final class DnsmasqParser implements SourceParser {
    /** DHCP's "infinite" (0xffffffff seconds after the epoch): what dnsmasq's 0 means. */
    static final Instant INFINITE = Instant.ofEpochSecond(0xffffffffL);

    @Override
    public void parse(String file, BufferedReader in, Instant now, ImportData out) throws IOException {
        String line;
        int n = 0;
        Boolean leases = null;
        int ranOut = 0;
        int v6 = 0;
        String[] f = new String[6];
        while ((line = in.readLine()) != null) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            if (leases == null) {
                leases = Character.isDigit(t.charAt(0));
            }
            if (!leases) {
                configLine(file, n, t, out);
                continue;
            }
            if (t.startsWith("duid ")) {
                continue;
            }
            int count = split(t, f);
            if (count != 5) {
                throw new ImportFormatException(file, n, "a lease line has 5 fields (expiry mac ip hostname client-id), not " + count);
            }
            if (f[2].indexOf(':') >= 0) { // a DHCPv6 lease: expiry iaid ipv6 hostname duid
                v6++;
                continue;
            }
            long expiry = Fields.number(f[0], "expiry", file, n);
            Instant expiresAt = expiry == 0 ? INFINITE : Instant.ofEpochSecond(expiry);
            MacAddress mac = Fields.mac(f[1], "mac", file, n);
            Ipv4Address ip = Fields.ip(f[2], "ip", file, n);
            String hostname = "*".equals(f[3]) ? null : f[3];
            ClientId id = "*".equals(f[4]) ? null : Fields.hexClientId(f[4], "client-id", file, n);
            if (!expiresAt.isAfter(now)) {
                ranOut++;
                continue;
            }
            out.lease(new ImportedLease(ip, mac, id, hostname, expiresAt));
        }
        if (ranOut > 0) {
            out.note(file + ": " + ranOut + " leases had run out and were left out");
        }
        if (v6 > 0) {
            out.note(file + ": " + v6 + " DHCPv6 leases were left out (vmaddr imports IPv4 leases)");
        }
    }

    /** Splits on runs of spaces into {@code f}; returns how many fields there were (only the first f.length are kept). */
    private static int split(String t, String[] f) {
        int count = 0;
        int i = 0;
        int len = t.length();
        while (i < len) {
            while (i < len && t.charAt(i) == ' ') {
                i++;
            }
            if (i >= len) {
                break;
            }
            int start = i;
            while (i < len && t.charAt(i) != ' ') {
                i++;
            }
            if (count < f.length) {
                f[count] = t.substring(start, i);
            }
            count++;
        }
        return count;
    }

    private static void configLine(String file, int n, String t, ImportData out) {
        int eq = t.indexOf('=');
        String name = (eq < 0 ? t : t.substring(0, eq)).strip();
        if (name.isEmpty() || !name.chars().allMatch(c -> c == '-' || c == '_' || Character.isLetterOrDigit(c))) {
            throw new ImportFormatException(file, n, "neither a lease line nor a dnsmasq option (name or name=value): \"" + t + "\"");
        }
        if (name.equals("dhcp-host") && eq >= 0) {
            dhcpHost(file, n, t.substring(eq + 1).strip(), out);
        }
    }

    /**
     * {@code dhcp-host=[MAC...][,id:CLIENT-ID|*][,set:TAG][,tag:TAG][,IP][,NAME][,LEASE-TIME][,ignore]}.
     * Without an address it gives a name only: noted, not a reservation.
     */
    private static void dhcpHost(String file, int n, String value, ImportData out) {
        List<MacAddress> macs = new ArrayList<>();
        ClientId id = null;
        Ipv4Address ip = null;
        String name = null;
        for (String raw : value.split(",")) {
            String p = raw.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.startsWith("id:")) {
                String v = p.substring(3);
                if (!v.equals("*")) {
                    id = v.matches("([0-9A-Fa-f]{2}[:-])+[0-9A-Fa-f]{2}") ? Fields.hexClientId(v, "dhcp-host id", file, n)
                            : Fields.textClientId(v);
                }
            } else if (p.startsWith("set:") || p.startsWith("tag:") || p.startsWith("net:")) {
                out.note(file + ":" + n + ": dhcp-host tag \"" + p + "\" ignored (vmaddr has no tags)");
            } else if (p.equals("ignore")) {
                out.note(file + ":" + n + ": dhcp-host with \"ignore\" left out (vmaddr answers every client of the network)");
                return;
            } else if (p.startsWith("[")) {
                out.note(file + ":" + n + ": IPv6 address " + p + " left out");
            } else if (looksLikeMac(p)) {
                if (p.indexOf('*') >= 0) {
                    throw new ImportFormatException(file, n, "dhcp-host: wildcard MAC \"" + p + "\" cannot be a reservation");
                }
                macs.add(Fields.mac(p.contains("-") && p.length() > 17 ? p.substring(p.indexOf('-') + 1) : p, "dhcp-host mac", file, n));
            } else if (Character.isDigit(p.charAt(0)) && p.chars().filter(c -> c == '.').count() == 3) {
                ip = Fields.ip(p, "dhcp-host address", file, n);
            } else if (isLeaseTime(p)) {
                continue;
            } else if (p.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                name = p;
            } else {
                throw new ImportFormatException(file, n, "dhcp-host: cannot read \"" + p + "\" (not a MAC, id:, tag, IPv4 address, name or lease time)");
            }
        }
        if (macs.isEmpty() && id == null) {
            throw new ImportFormatException(file, n, "dhcp-host: neither a MAC nor an id: (a name alone cannot be imported)");
        }
        if (ip == null) {
            out.note(file + ":" + n + ": dhcp-host without an IPv4 address left out (a name only is not a reservation)");
            return;
        }
        if (macs.size() > 1) {
            out.note(file + ":" + n + ": dhcp-host lists " + macs.size() + " MACs for one address; the first, " + macs.getFirst()
                    + ", is reserved");
        }
        out.host(new ImportedHost(macs.isEmpty() ? null : macs.getFirst(), id, ip, name));
    }

    private static boolean looksLikeMac(String p) {
        // 52:54:00:ab:cd:ef, with a hardware type prefix "1-", or with * wildcards
        return p.matches("([0-9]+-)?([0-9A-Fa-f*]{1,2}[:-]){5}[0-9A-Fa-f*]{1,2}");
    }

    private static boolean isLeaseTime(String p) {
        return p.equals("infinite") || p.matches("[0-9]+[smhdw]?");
    }
}
