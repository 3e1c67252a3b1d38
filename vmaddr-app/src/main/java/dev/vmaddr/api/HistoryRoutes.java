package dev.vmaddr.api;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.config.Durations;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.store.HistoryCursor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryKinds;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.HistoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who held what, when: {@code GET /api/v1/history?ip=&mac=&vm=&since=&until=&limit=&cursor=}, newest
 * first, {@code {"items":[...], "nextCursor"}}. {@code since}/{@code until} take an RFC 3339 time, a
 * date (UTC midnight) or a duration back from now ({@code 7d}). The cursor is opaque (time and
 * sequence number of the page's last event): events written while a client pages are newer than any
 * cursor and never shift a page.
 *
 * <p>Renewals are coalesced (see {@link HistoryKinds}): the {@code lease.bound} event of a binding
 * that still holds shows its last renewal as {@code lastRenewedAt}, read from the lease.
 */
public final class HistoryRoutes implements RouteGroup {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final HistoryStore history;
    private final AllocationEngine engine;
    private final Clock clock;

    public HistoryRoutes(HistoryStore history, AllocationEngine engine, Clock clock) {
        this.history = history;
        this.engine = engine;
        this.clock = clock;
    }

    @Override
    public void register(RouteTable t) {
        t.get("/api/v1/history", "Who held an address or a MAC when, newest first, paged: {items, nextCursor}")
                .errors(400, 503).query("ip", "mac", "vm", "since", "until", "limit", "cursor").handle(ctx -> {
                    Ipv4Address ip = optional(ctx.queryParam("ip"), "ip", Ipv4Address::parse);
                    MacAddress mac = optional(ctx.queryParam("mac"), "mac", MacAddress::parse);
                    String vm = ctx.queryParam("vm") == null || ctx.queryParam("vm").isBlank() ? null : ctx.queryParam("vm").strip();
                    Instant since = optional(ctx.queryParam("since"), "since", s -> time(s, clock));
                    Instant until = optional(ctx.queryParam("until"), "until", s -> time(s, clock));
                    if (since != null && until != null && !since.isBefore(until)) {
                        throw ApiProblem.badRequest("until", "must be after since (" + since + ")");
                    }
                    int limit = ctx.queryParam("limit") == null ? DEFAULT_LIMIT
                            : NetworkRoutes.parse("limit", ctx.queryParam("limit"), HistoryRoutes::limit);
                    HistoryCursor cursor = optional(ctx.queryParam("cursor"), "cursor", HistoryCursor::decode);
                    HistoryPage page = history.page(new HistoryQuery(ip, mac, vm, since, until, cursor, limit));
                    ctx.json(NetworkRoutes.page(views(page.items()), page.next() == null ? null : page.next().encode()));
                });
    }

    private static <T> T optional(String text, String field, java.util.function.Function<String, T> parser) {
        return text == null || text.isBlank() ? null : NetworkRoutes.parse(field, text.strip(), parser);
    }

    /** RFC 3339 ({@code 2026-12-01T10:00:00Z}), a date ({@code 2026-12-01}, UTC) or a duration back from now ({@code 90d}). */
    public static Instant time(String text, Clock clock) {
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
        } catch (DateTimeParseException notRfc3339) {
            try {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                try {
                    return clock.instant().minus(Durations.parse(text));
                } catch (IllegalArgumentException notDuration) {
                    throw new IllegalArgumentException("\"" + text
                            + "\" is not a time (2026-12-01T10:00:00Z), a date (2026-12-01) or a duration back from now (7d)");
                }
            }
        }
    }

    private List<Map<String, Object>> views(List<HistoryEvent> events) {
        List<Map<String, Object>> out = new ArrayList<>(events.size());
        Map<String, Optional<Lease>> leases = new HashMap<>();
        Map<String, Boolean> newestSeen = new HashMap<>();
        for (HistoryEvent e : events) {
            String kind = HistoryKinds.kind(e.action());
            Map<String, Object> m = view(e);
            if (e.ip() != null && e.network() != null && kind.startsWith("lease.")) {
                String key = e.network() + "/" + e.ip();
                // only the newest lease event of an address on this page can be its current binding
                if (newestSeen.putIfAbsent(key, Boolean.TRUE) == null && HistoryKinds.LEASE_BOUND.equals(kind)) {
                    lastRenewed(e, leases.computeIfAbsent(key, k -> engine.lease(e.network(), e.ip())))
                            .ifPresent(at -> m.put("lastRenewedAt", DateTimeFormatter.ISO_INSTANT.format(at)));
                }
            }
            out.add(m);
        }
        return out;
    }

    /** One event as the API and the CLI show it: {at, kind, network, ip, mac, vm, nic, actor, detail, holder}. */
    public static Map<String, Object> view(HistoryEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("at", DateTimeFormatter.ISO_INSTANT.format(e.at()));
        m.put("kind", HistoryKinds.kind(e.action()));
        m.put("network", e.network());
        m.put("ip", e.ip() == null ? null : e.ip().toString());
        m.put("mac", e.mac() == null ? null : e.mac().toString());
        m.put("vm", e.vm());
        m.put("nic", e.nic());
        m.put("actor", e.actor());
        m.put("detail", e.detail() != null ? e.detail() : HistoryKinds.detailOf(e.action()));
        m.put("holder", e.holder());
        return m;
    }

    /**
     * The last renewal of the binding {@code bound} started, when that binding still holds: the lease
     * is bound to the same MAC, written after the event, and no later lease event of the address exists.
     */
    private Optional<Instant> lastRenewed(HistoryEvent bound, Optional<Lease> lease) {
        if (lease.isEmpty() || lease.get().state() != LeaseState.BOUND || !lease.get().mac().equals(bound.mac())
                || !lease.get().updatedAt().isAfter(bound.at())) {
            return Optional.empty();
        }
        HistoryPage newest = history.page(new HistoryQuery(bound.ip(), null, null, null, null, null, 1));
        boolean current = !newest.items().isEmpty() && newest.items().getFirst().equals(bound);
        return current ? Optional.of(lease.get().updatedAt()) : Optional.empty();
    }

    private static int limit(String s) {
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not a number");
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw new IllegalArgumentException(n + " is outside 1.." + MAX_LIMIT);
        }
        return n;
    }
}
