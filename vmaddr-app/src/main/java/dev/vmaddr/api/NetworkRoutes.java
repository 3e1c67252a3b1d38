package dev.vmaddr.api;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.config.NetworkFields;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.LeaseRate;
import dev.vmaddr.ipam.NetworkCatalog;
import dev.vmaddr.ipam.NetworkCatalog.LeaseClash;
import dev.vmaddr.ipam.PoolStats;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Networks, their pools and reservations: each route reads the request and hands the edit to the
 * {@link NetworkCatalog}, which owns every change of a network's definition (its lock, rules and
 * listeners). A refusal comes back as a {@link dev.vmaddr.ipam.NetworkEditException} whose kind
 * {@link ErrorMapper} turns into 400, 409 or 404.
 */
public final class NetworkRoutes implements RouteGroup {
    private static final String BASE = "/api/v1/networks";

    private final NetworkCatalog catalog;
    private final AllocationEngine engine;

    public NetworkRoutes(NetworkCatalog catalog, AllocationEngine engine) {
        this.catalog = catalog;
        this.engine = engine;
    }

    @Override
    public void register(RouteTable t) {
        t.get(BASE, "List networks").handle(ctx ->
                ctx.json(catalog.list().stream().map(NetworkFields::toMap).toList()));
        t.post(BASE, "Create a network (body: the config file's network fields)").errors(400, 409)
                .body("network: name, cidr, gateway, pools, ... as in the config file").handle(ctx -> {
                    NetworkSpec spec = catalog.create(Json.readBody(ctx.body(), NetworkFields::read));
                    ctx.status(201).json(NetworkFields.toMap(spec));
                });
        t.get(BASE + "/{network}", "Show a network").errors(404)
                .handle(ctx -> ctx.json(NetworkFields.toMap(network(ctx.pathParam("network")))));
        t.put(BASE + "/{network}", "Replace a network's definition").errors(400, 404, 409)
                .body("network fields; name must match the path").handle(ctx -> {
                    String name = ctx.pathParam("network");
                    NetworkSpec spec = Json.readBody(ctx.body(), NetworkFields::read);
                    if (!spec.name().equals(name)) {
                        throw ApiProblem.badRequest("name", "\"" + spec.name() + "\" differs from the path's \"" + name + "\"");
                    }
                    ctx.json(NetworkFields.toMap(catalog.replace(spec)));
                });
        t.delete(BASE + "/{network}", "Delete a network and its leases").errors(404).handle(ctx -> {
            catalog.delete(ctx.pathParam("network"));
            ctx.status(204);
        });
        t.get(BASE + "/{network}/stats", "Pool size, used and free; leases granted per minute").errors(404).handle(ctx -> {
            String name = ctx.pathParam("network");
            network(name);
            PoolStats s = engine.stats(name);
            LeaseRate.Snapshot rate = engine.leaseRate(name);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("network", name);
            body.put("size", s.size());
            body.put("used", s.used());
            body.put("free", s.free());
            body.put("leasesPerMinute", rate.lastMinute());
            body.put("leasesThisMinute", rate.thisMinute());
            body.put("leasesPerMinuteHistory", rate.perMinute());
            ctx.json(body);
        });

        t.get(BASE + "/{network}/pools", "List a network's pools").errors(404).handle(ctx ->
                ctx.json(network(ctx.pathParam("network")).pools().stream().map(Ipv4Range::toString).toList()));
        t.post(BASE + "/{network}/pools", "Add a pool").errors(400, 404, 409).body("{\"range\": \"FIRST-LAST\"}").handle(ctx -> {
            Ipv4Range range = Json.readBody(ctx.body(), f -> {
                Ipv4Range r = f.required("range", Ipv4Range::parse);
                f.rejectUnknown();
                return r;
            });
            catalog.addPool(ctx.pathParam("network"), range);
            ctx.status(201).json(Map.of("range", range.toString()));
        });
        t.delete(BASE + "/{network}/pools/{range}", "Remove a pool").errors(400, 404).handle(ctx -> {
            catalog.removePool(ctx.pathParam("network"), parse("range", ctx.pathParam("range"), Ipv4Range::parse));
            ctx.status(204);
        });

        t.get(BASE + "/{network}/reservations", "List a network's reservations").errors(404).handle(ctx ->
                ctx.json(network(ctx.pathParam("network")).reservations().stream().map(NetworkFields::toMap).toList()));
        t.post(BASE + "/{network}/reservations", "Add a reservation; 409 when another client's lease holds the address, "
                        + "unless takeOver: that client is refused at its next renewal and moves to another address")
                .errors(400, 404, 409)
                .body("{\"mac\" or \"clientId\", \"ip\", \"hostname\", \"takeOver\": false}").handle(ctx -> {
                    ReservationRequest req = Json.readBody(ctx.body(), f -> {
                        Boolean takeOver = f.bool("takeOver");
                        Reservation r = NetworkFields.readReservation(f);
                        return new ReservationRequest(r, Boolean.TRUE.equals(takeOver));
                    });
                    Reservation r = catalog.addReservation(ctx.pathParam("network"), req.reservation(),
                            req.takeOver() ? LeaseClash.TAKE_OVER : LeaseClash.REFUSE);
                    ctx.status(201).json(NetworkFields.toMap(r));
                });
        t.delete(BASE + "/{network}/reservations/{ip}", "Remove a reservation").errors(400, 404).handle(ctx -> {
            catalog.removeReservation(ctx.pathParam("network"), parse("ip", ctx.pathParam("ip"), Ipv4Address::parse));
            ctx.status(204);
        });
    }

    /** A reservation as posted, with whether the caller takes the address over from a live lease. */
    private record ReservationRequest(Reservation reservation, boolean takeOver) {}

    private NetworkSpec network(String name) {
        return catalog.get(name).orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\""));
    }

    static <T> T parse(String field, String text, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(field, e.getMessage());
        }
    }

    static Map<String, Object> page(List<?> items, String nextCursor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("nextCursor", nextCursor);
        return m;
    }
}
