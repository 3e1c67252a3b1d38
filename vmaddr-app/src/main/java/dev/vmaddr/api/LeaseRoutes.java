package dev.vmaddr.api;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Leases (read, paged) and allocations (allocate / release an address for a MAC or client-id).
 *
 * <p>Lease pages: {@code ?limit=N} (default 500, at most 5000) and {@code ?cursor=IP}, the last IP of
 * the previous page; the answer is {@code {"items":[lease...], "nextCursor": IP or null}}. Filters
 * {@code state}, {@code mac} and {@code hostname} (a part of it, any case: the UI's search) apply
 * before paging. A page costs the engine's ranged read
 * ({@link AllocationEngine#leases}), not a read of the whole network.
 */
public final class LeaseRoutes implements RouteGroup {
    private static final String BASE = "/api/v1/networks/{network}";
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 5000;

    private final AllocationEngine engine;
    private final dev.vmaddr.ipam.Ipv6Leases ipv6;

    public LeaseRoutes(AllocationEngine engine) {
        this(engine, null);
    }

    /** @param ipv6 DHCPv6 leases, listed after a network's IPv4 leases; null for none */
    public LeaseRoutes(AllocationEngine engine, dev.vmaddr.ipam.Ipv6Leases ipv6) {
        this.engine = engine;
        this.ipv6 = ipv6;
    }

    @Override
    public void register(RouteTable t) {
        t.get(BASE + "/leases", "List leases, paged: {items, nextCursor}").errors(400, 404)
                .query("limit", "cursor", "state", "mac", "hostname").handle(ctx -> {
                    int limit = ctx.queryParam("limit") == null ? DEFAULT_LIMIT
                            : NetworkRoutes.parse("limit", ctx.queryParam("limit"), LeaseRoutes::limit);
                    String cursorText = ctx.queryParam("cursor");
                    if (cursorText != null && cursorText.indexOf(':') >= 0) {
                        // Past the IPv4 leases: a page of DHCPv6 leases after this address.
                        Ipv6Address after = NetworkRoutes.parse("cursor", cursorText, Ipv6Address::parse);
                        ctx.json(ipv6Page(ctx.pathParam("network"), after, limit, new ArrayList<>(), null, null, null));
                        return;
                    }
                    Ipv4Address cursor = cursorText == null ? null
                            : NetworkRoutes.parse("cursor", cursorText, Ipv4Address::parse);
                    LeaseState state = ctx.queryParam("state") == null ? null
                            : NetworkRoutes.parse("state", ctx.queryParam("state"), LeaseRoutes::state);
                    MacAddress mac = ctx.queryParam("mac") == null ? null
                            : NetworkRoutes.parse("mac", ctx.queryParam("mac"), MacAddress::parse);
                    String hostname = ctx.queryParam("hostname") == null ? null
                            : ctx.queryParam("hostname").strip().toLowerCase(Locale.ROOT);
                    // one more than the page, to learn whether another page follows
                    List<Lease> found = engine.leases(ctx.pathParam("network"), cursor, limit + 1,
                            l -> (state == null || l.state() == state) && (mac == null || mac.equals(l.mac()))
                                    && (hostname == null || l.hostname() != null && l.hostname().toLowerCase(Locale.ROOT).contains(hostname)));
                    List<Object> items = new ArrayList<>(Math.min(limit, found.size()));
                    for (int i = 0; i < found.size() && i < limit; i++) {
                        items.add(LeaseView.of(found.get(i)));
                    }
                    if (found.size() > limit) {
                        ctx.json(NetworkRoutes.page(items, ((LeaseView) items.getLast()).ip()));
                    } else {
                        ctx.json(ipv6Page(ctx.pathParam("network"), null, limit, items, state, mac, hostname));
                    }
                });
        t.get(BASE + "/leases/{ip}", "Show the lease of one address").errors(400, 404).handle(ctx -> {
            String network = ctx.pathParam("network");
            Ipv4Address ip = NetworkRoutes.parse("ip", ctx.pathParam("ip"), Ipv4Address::parse);
            engine.network(network).orElseThrow(() -> ApiProblem.notFound("no network \"" + network + "\""));
            Lease l = engine.lease(network, ip).orElseThrow(() -> ApiProblem.notFound("no lease for " + ip + " in " + network));
            ctx.json(LeaseView.of(l));
        });
        t.post(BASE + "/allocations", "Allocate an address for a MAC or client-id, optionally a requested one")
                .errors(400, 404, 409).body("{\"mac\", \"clientId\" (hex, optional), \"ip\" (optional), \"hostname\" (optional), \"leaseTime\" (optional)}")
                .handle(ctx -> {
                    String network = ctx.pathParam("network");
                    AllocationRequest req = Json.readBody(ctx.body(), f -> {
                        MacAddress mac = f.value("mac", MacAddress::parse);
                        ClientId clientId = f.value("clientId", ClientId::parse);
                        Ipv4Address ip = f.value("ip", Ipv4Address::parse);
                        String hostname = f.string("hostname");
                        Duration leaseTime = f.value("leaseTime", dev.vmaddr.config.Durations::parse);
                        f.rejectUnknown();
                        if (mac == null && f.problems().isEmpty()) {
                            f.problems().add("mac", "is required (the client's hardware address)");
                        }
                        return f.problems().isEmpty() ? new AllocationRequest(mac, clientId, ip, hostname, leaseTime) : null;
                    });
                    Lease lease = engine.allocate(network, req);
                    ctx.status(201).json(LeaseView.of(lease));
                });
        t.delete(BASE + "/allocations/{ip}", "Release an address").errors(400, 404).handle(ctx -> {
            String network = ctx.pathParam("network");
            Ipv4Address ip = NetworkRoutes.parse("ip", ctx.pathParam("ip"), Ipv4Address::parse);
            Lease released = engine.releaseAddress(network, ip)
                    .orElseThrow(() -> ApiProblem.notFound("no allocation of " + ip + " in " + network));
            ctx.status(204);
        });
    }

    /** {@code items} filled up to {@code limit} with the network's DHCPv6 leases after {@code after}. */
    private Object ipv6Page(String network, Ipv6Address after, int limit, List<Object> items, LeaseState state,
                            MacAddress mac, String hostname) {
        if (ipv6 == null) {
            return NetworkRoutes.page(items, null);
        }
        String next = null;
        for (Lease6 l : ipv6.leases(network)) {
            if (after != null && (Long.compareUnsigned(l.ip().high(), after.high()) < 0
                    || l.ip().high() == after.high() && Long.compareUnsigned(l.ip().low(), after.low()) <= 0)) {
                continue;
            }
            if (state != null && l.state() != state || mac != null && !mac.equals(l.mac())
                    || hostname != null && (l.hostname() == null || !l.hostname().toLowerCase(Locale.ROOT).contains(hostname))) {
                continue;
            }
            if (items.size() == limit) {
                next = ((Lease6View) items.getLast()).ip();
                break;
            }
            items.add(Lease6View.of(l));
        }
        return NetworkRoutes.page(items, next);
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

    private static LeaseState state(String s) {
        try {
            return LeaseState.fromWireName(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + s + "\" is not one of offered, bound, released, expired, declined");
        }
    }
}
