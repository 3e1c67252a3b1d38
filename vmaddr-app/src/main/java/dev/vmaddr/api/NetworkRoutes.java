package dev.vmaddr.api;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.config.NetworkFields;
import dev.vmaddr.connectivity.ProbeTarget;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.ipam.PoolStats;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Networks, their pools and reservations. A network is stored whole, so adding a pool or a
 * reservation is read-modify-write of the {@link NetworkSpec}; {@link #edit} serializes those edits
 * (on this server) so two concurrent edits cannot lose each other.
 */
public final class NetworkRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(NetworkRoutes.class);
    private static final String BASE = "/api/v1/networks";

    private final AllocationEngine engine;
    private final NetworkListener listener;
    private final Object editLock;

    public NetworkRoutes(AllocationEngine engine) {
        this(engine, NetworkListener.NONE, new Object());
    }

    /**
     * @param listener told about every network created, changed or deleted here (connectivity checks)
     * @param editLock held for every read-modify-write of a network spec; the server passes the same
     *                 lock to the VM inventory's reservation edits ({@code EngineVmIpam})
     */
    public NetworkRoutes(AllocationEngine engine, NetworkListener listener, Object editLock) {
        this.engine = engine;
        this.listener = listener;
        this.editLock = editLock;
    }

    @Override
    public void register(RouteTable t) {
        t.get(BASE, "List networks").handle(ctx ->
                ctx.json(engine.networks().stream().map(NetworkFields::toMap).toList()));
        t.post(BASE, "Create a network (body: the config file's network fields)").errors(400, 409)
                .body("network: name, cidr, gateway, pools, ... as in the config file").handle(ctx -> {
                    NetworkSpec spec = Json.readBody(ctx.body(), NetworkFields::read);
                    synchronized (editLock) {
                        if (engine.network(spec.name()).isPresent()) {
                            throw ApiProblem.conflict("network \"" + spec.name() + "\" already exists");
                        }
                        engine.putNetwork(spec);
                        listener.networkChanged(ProbeTarget.of(spec));
                    }
                    log.info("event=network.created network={} cidr={}", spec.name(), spec.cidr());
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
                    edit(name, old -> spec);
                    ctx.json(NetworkFields.toMap(spec));
                });
        t.delete(BASE + "/{network}", "Delete a network and its leases").errors(404).handle(ctx -> {
            String name = ctx.pathParam("network");
            synchronized (editLock) {
                network(name);
                engine.removeNetwork(name);
                listener.networkRemoved(name);
            }
            log.info("event=network.deleted network={}", name);
            ctx.status(204);
        });
        t.get(BASE + "/{network}/stats", "Pool size, used and free").errors(404).handle(ctx -> {
            String name = ctx.pathParam("network");
            network(name);
            PoolStats s = engine.stats(name);
            ctx.json(Map.of("network", name, "size", s.size(), "used", s.used(), "free", s.free()));
        });

        t.get(BASE + "/{network}/pools", "List a network's pools").errors(404).handle(ctx ->
                ctx.json(network(ctx.pathParam("network")).pools().stream().map(Ipv4Range::toString).toList()));
        t.post(BASE + "/{network}/pools", "Add a pool").errors(400, 404, 409).body("{\"range\": \"FIRST-LAST\"}").handle(ctx -> {
            Ipv4Range range = Json.readBody(ctx.body(), f -> {
                Ipv4Range r = f.required("range", Ipv4Range::parse);
                f.rejectUnknown();
                return r;
            });
            edit(ctx.pathParam("network"), n -> n.withPools(append(n.pools(), range)));
            ctx.status(201).json(Map.of("range", range.toString()));
        });
        t.delete(BASE + "/{network}/pools/{range}", "Remove a pool").errors(400, 404).handle(ctx -> {
            Ipv4Range range = parse("range", ctx.pathParam("range"), Ipv4Range::parse);
            edit(ctx.pathParam("network"), n -> {
                if (!n.pools().contains(range)) {
                    throw ApiProblem.notFound("network \"" + n.name() + "\" has no pool " + range);
                }
                return n.withPools(n.pools().stream().filter(p -> !p.equals(range)).toList());
            });
            ctx.status(204);
        });

        t.get(BASE + "/{network}/reservations", "List a network's reservations").errors(404).handle(ctx ->
                ctx.json(network(ctx.pathParam("network")).reservations().stream().map(NetworkFields::toMap).toList()));
        t.post(BASE + "/{network}/reservations", "Add a reservation").errors(400, 404, 409)
                .body("{\"mac\" or \"clientId\", \"ip\", \"hostname\"}").handle(ctx -> {
                    Reservation r = Json.readBody(ctx.body(), NetworkFields::readReservation);
                    edit(ctx.pathParam("network"), n -> {
                        for (Reservation o : n.reservations()) {
                            if (o.ip().equals(r.ip())) {
                                throw ApiProblem.conflict(r.ip() + " is already reserved for " + holder(o));
                            }
                            if (r.mac() != null && r.mac().equals(o.mac()) || r.clientId() != null && r.clientId().equals(o.clientId())) {
                                throw ApiProblem.conflict(holder(r) + " already has a reservation (" + o.ip() + ")");
                            }
                        }
                        return n.withReservations(append(n.reservations(), r));
                    });
                    ctx.status(201).json(NetworkFields.toMap(r));
                });
        t.delete(BASE + "/{network}/reservations/{ip}", "Remove a reservation").errors(400, 404).handle(ctx -> {
            Ipv4Address ip = parse("ip", ctx.pathParam("ip"), Ipv4Address::parse);
            edit(ctx.pathParam("network"), n -> {
                if (n.reservations().stream().noneMatch(r -> r.ip().equals(ip))) {
                    throw ApiProblem.notFound("network \"" + n.name() + "\" has no reservation for " + ip);
                }
                return n.withReservations(n.reservations().stream().filter(r -> !r.ip().equals(ip)).toList());
            });
            ctx.status(204);
        });
    }

    private NetworkSpec network(String name) {
        return engine.network(name).orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\""));
    }

    private void edit(String name, UnaryOperator<NetworkSpec> change) {
        upsert(name, old -> change.apply(old.orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\""))));
    }

    /**
     * Creates or replaces network {@code name} with what {@code change} makes of the current
     * definition (empty when there is none), serialized with every other edit; tells the listener.
     */
    NetworkSpec upsert(String name, java.util.function.Function<java.util.Optional<NetworkSpec>, NetworkSpec> change) {
        synchronized (editLock) {
            java.util.Optional<NetworkSpec> old = engine.network(name);
            NetworkSpec updated = change.apply(old);
            engine.putNetwork(updated);
            listener.networkChanged(ProbeTarget.of(updated));
            log.info("event=network.{} network={}", old.isPresent() ? "updated" : "created", name);
            return updated;
        }
    }

    AllocationEngine engine() {
        return engine;
    }

    static <T> T parse(String field, String text, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest(field, e.getMessage());
        }
    }

    private static String holder(Reservation r) {
        return r.mac() != null ? "mac " + r.mac() : "client-id " + r.clientId();
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }

    static Map<String, Object> page(List<?> items, String nextCursor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("items", items);
        m.put("nextCursor", nextCursor);
        return m;
    }
}
