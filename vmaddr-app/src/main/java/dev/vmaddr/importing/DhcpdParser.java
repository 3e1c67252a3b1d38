package dev.vmaddr.importing;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.importing.DhcpdTokens.Kind;
import dev.vmaddr.importing.DhcpdTokens.Token;
import dev.vmaddr.model.ClientId;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ISC dhcpd: {@code dhcpd.leases} ({@code lease IP { ... }} blocks) and {@code dhcpd.conf}
 * ({@code host NAME { ... }} blocks, at the top or nested in {@code subnet}, {@code shared-network},
 * {@code group} and {@code pool} blocks). One grammar serves both: statements end with {@code ;},
 * blocks nest in braces; a block other than a lease or a host is walked into, so hosts are found
 * at any depth, and statements vmaddr has no use for are skipped whole.
 *
 * <p><b>The lease file is a journal.</b> dhcpd appends a block whenever a lease changes, so one
 * address has several blocks; the last one read is the lease (across files too: give
 * {@code dhcpd.leases~} before {@code dhcpd.leases}). Only {@code binding state active} with an
 * {@code ends} still ahead (or {@code ends never}) is imported, decided in {@link #finish}.
 */
final class DhcpdParser implements SourceParser {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss");

    private record Block(Ipv4Address ip, MacAddress mac, ClientId uid, String hostname, String binding, Instant ends) {}

    private final Map<Ipv4Address, Block> latest = new LinkedHashMap<>();
    private int withoutMac;

    @Override
    public void parse(String file, BufferedReader in, Instant now, ImportData out) throws IOException {
        DhcpdTokens t = new DhcpdTokens(file, in);
        body(t, null, out);
    }

    /** Statements up to the closing brace of the block opened at {@code open} (null: to the end of the file). */
    private void body(DhcpdTokens t, Token open, ImportData out) throws IOException {
        while (true) {
            Token first = t.next();
            switch (first.kind()) {
                case END -> {
                    if (open != null) {
                        throw t.error(open, "this block is never closed ('}' missing)");
                    }
                    return;
                }
                case CLOSE -> {
                    if (open == null) {
                        throw t.error(first, "'}' closes no block");
                    }
                    return;
                }
                case SEMI -> {
                    // empty statement
                }
                case WORD -> statement(t, first, out);
                default -> throw t.error(first, "a statement cannot start with " + DhcpdTokens.describe(first));
            }
        }
    }

    private void statement(DhcpdTokens t, Token first, ImportData out) throws IOException {
        if (first.text().equals("lease") && t.peek().kind() == Kind.WORD && t.peek().text().indexOf(':') < 0) {
            Token ipTok = t.next();
            Ipv4Address ip = Fields.ip(ipTok.text(), "lease", t.file(), ipTok.line());
            lease(t, ip, t.expect(Kind.OPEN, "'{' after lease " + ip));
            return;
        }
        if (first.text().equals("host")) {
            Token name = t.next();
            if (name.kind() != Kind.WORD && name.kind() != Kind.STRING) {
                throw t.error(name, "expected a host name, found " + DhcpdTokens.describe(name));
            }
            host(t, name, t.expect(Kind.OPEN, "'{' after host " + name.text()), out);
            return;
        }
        List<Token> rest = upTo(t);
        Token last = rest.isEmpty() ? first : rest.getLast();
        if (last.kind() == Kind.OPEN) {
            body(t, last, out); // subnet, shared-network, group, pool, class, failover peer...: walk in
        }
    }

    /** The rest of a statement: its tokens up to and including ';' or '{'. */
    private static List<Token> upTo(DhcpdTokens t) throws IOException {
        List<Token> out = new ArrayList<>();
        while (true) {
            Token x = t.next();
            if (x.kind() == Kind.END) {
                throw t.error(x, "the file ends inside a statement (';' missing)");
            }
            if (x.kind() == Kind.CLOSE) {
                throw t.error(x, "'}' inside a statement (';' missing before it)");
            }
            out.add(x);
            if (x.kind() == Kind.SEMI || x.kind() == Kind.OPEN) {
                return out;
            }
        }
    }

    private void lease(DhcpdTokens t, Ipv4Address ip, Token open) throws IOException {
        MacAddress mac = null;
        ClientId uid = null;
        String hostname = null;
        String binding = null;
        Instant ends = null;
        while (true) {
            Token first = t.next();
            if (first.kind() == Kind.CLOSE) {
                break;
            }
            if (first.kind() == Kind.END) {
                throw t.error(open, "lease " + ip + " is never closed ('}' missing)");
            }
            if (first.kind() != Kind.WORD) {
                throw t.error(first, "a statement in lease " + ip + " cannot start with " + DhcpdTokens.describe(first));
            }
            List<Token> rest = upTo(t);
            if (rest.getLast().kind() == Kind.OPEN) {
                throw t.error(rest.getLast(), "unexpected block inside lease " + ip);
            }
            List<Token> args = rest.subList(0, rest.size() - 1);
            switch (first.text()) {
                case "hardware" -> mac = hardware(t, first, args);
                case "uid" -> uid = clientId(t, first, args);
                case "client-hostname" -> hostname = single(t, first, args).text();
                case "binding" -> {
                    if (args.size() != 2 || !args.get(0).text().equals("state")) {
                        throw t.error(first, "expected 'binding state STATE;'");
                    }
                    binding = args.get(1).text();
                }
                case "ends" -> ends = when(t, first, args);
                default -> {
                    // starts, cltt, tstp, tsfp, atsfp, next/rewind binding state, set, on, abandoned...
                }
            }
        }
        if (mac == null) {
            withoutMac++;
        }
        latest.put(ip, new Block(ip, mac, uid, hostname, binding, ends));
    }

    private void host(DhcpdTokens t, Token name, Token open, ImportData out) throws IOException {
        MacAddress mac = null;
        ClientId id = null;
        List<Token> fixed = null;
        String hostname = null;
        while (true) {
            Token first = t.next();
            if (first.kind() == Kind.CLOSE) {
                break;
            }
            if (first.kind() == Kind.END) {
                throw t.error(open, "host " + name.text() + " is never closed ('}' missing)");
            }
            if (first.kind() != Kind.WORD) {
                throw t.error(first, "a statement in host " + name.text() + " cannot start with " + DhcpdTokens.describe(first));
            }
            List<Token> rest = upTo(t);
            if (rest.getLast().kind() == Kind.OPEN) {
                throw t.error(rest.getLast(), "unexpected block inside host " + name.text());
            }
            List<Token> args = rest.subList(0, rest.size() - 1);
            String option = args.isEmpty() ? "" : args.getFirst().text();
            switch (first.text()) {
                case "hardware" -> mac = hardware(t, first, args);
                case "fixed-address" -> fixed = args.stream().filter(a -> a.kind() != Kind.COMMA).toList();
                case "option" -> {
                    if (option.equals("host-name")) {
                        hostname = single(t, first, args.subList(1, args.size())).text();
                    } else if (option.equals("dhcp-client-identifier")) {
                        id = clientId(t, first, args.subList(1, args.size()));
                    }
                }
                case "host-identifier" -> {
                    if (args.size() >= 3 && option.equals("option") && args.get(1).text().equals("dhcp-client-identifier")) {
                        id = clientId(t, first, args.subList(2, args.size()));
                    }
                }
                default -> {
                    // ddns-hostname, filename, next-server, other options: not vmaddr's business
                }
            }
        }
        String where = t.file() + ":" + name.line() + ": host " + name.text();
        if (mac == null && id == null) {
            out.note(where + " has neither hardware ethernet nor a client-id: left out");
            return;
        }
        if (fixed == null || fixed.isEmpty()) {
            out.note(where + " has no fixed-address: left out (not a reservation)");
            return;
        }
        Token a = fixed.getFirst();
        if (!a.text().matches("[0-9.]+")) {
            out.note(where + " has fixed-address " + a.text() + ", a DNS name: left out (vmaddr reserves addresses)");
            return;
        }
        Ipv4Address ip = Fields.ip(a.text(), "fixed-address", t.file(), a.line());
        if (fixed.size() > 1) {
            out.note(where + " lists " + fixed.size() + " fixed addresses; the first, " + ip + ", is reserved");
        }
        out.host(new ImportedHost(mac, id, ip, hostname != null ? hostname : name.text()));
    }

    private static MacAddress hardware(DhcpdTokens t, Token first, List<Token> args) {
        if (args.size() != 2 || args.get(0).kind() != Kind.WORD) {
            throw t.error(first, "expected 'hardware ethernet MAC;'");
        }
        if (!args.get(0).text().equals("ethernet")) {
            throw t.error(first, "hardware type " + args.get(0).text() + ": vmaddr imports ethernet addresses only");
        }
        return Fields.mac(args.get(1).text(), "hardware ethernet", t.file(), args.get(1).line());
    }

    /** A client-id as dhcpd writes it: a quoted string of its bytes, or colon-separated hex. */
    private static ClientId clientId(DhcpdTokens t, Token first, List<Token> args) {
        Token v = single(t, first, args);
        if (v.kind() == Kind.STRING) {
            if (v.text().isEmpty()) {
                throw t.error(v, "an empty client-id");
            }
            return Fields.textClientId(v.text());
        }
        return Fields.hexClientId(v.text(), first.text(), t.file(), v.line());
    }

    private static Token single(DhcpdTokens t, Token first, List<Token> args) {
        if (args.size() != 1) {
            throw t.error(first, "'" + first.text() + "' takes one value, not " + args.size());
        }
        return args.getFirst();
    }

    /** {@code ends 4 2026/12/06 20:10:00} (UTC), {@code ends epoch 1796594400}, or {@code ends never}. */
    private static Instant when(DhcpdTokens t, Token first, List<Token> args) {
        if (args.size() == 1 && args.getFirst().text().equals("never")) {
            return DnsmasqParser.INFINITE;
        }
        if (args.size() == 2 && args.getFirst().text().equals("epoch")) {
            return Instant.ofEpochSecond(Fields.number(args.get(1).text(), "ends epoch", t.file(), first.line()));
        }
        if (args.size() != 3) {
            throw t.error(first, "expected 'ends WEEKDAY YYYY/MM/DD HH:MM:SS;', 'ends epoch N;' or 'ends never;'");
        }
        try {
            return LocalDateTime.parse(args.get(1).text() + " " + args.get(2).text(), WHEN).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw t.error(first, "cannot read the time \"" + args.get(1).text() + " " + args.get(2).text() + "\"");
        }
    }

    @Override
    public void finish(Instant now, ImportData out) {
        int inactive = 0;
        for (Block b : latest.values()) {
            if (b.mac() != null && "active".equals(b.binding()) && b.ends() != null && b.ends().isAfter(now)) {
                out.lease(new ImportedLease(b.ip(), b.mac(), b.uid(), b.hostname(), b.ends()));
            } else if (b.mac() != null) {
                inactive++;
            }
        }
        if (inactive > 0) {
            out.note(inactive + " addresses whose last lease block is not active with time left (free, expired, released, "
                    + "abandoned, backup) were left out");
        }
        if (withoutMac > 0) {
            out.note(withoutMac + " lease blocks without 'hardware ethernet' were left out");
        }
        latest.clear();
    }
}
