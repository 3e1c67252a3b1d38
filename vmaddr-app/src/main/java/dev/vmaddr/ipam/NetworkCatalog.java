package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.Ipv4Range;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.Reservation;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of network definitions: every create, replace, edit, pool and reservation change
 * and delete goes through here, whoever asks (the config at start, the API, NAD imports, VM NICs).
 *
 * <p><b>Why one owner.</b> A {@link NetworkSpec} is replaced whole, so adding a pool or a
 * reservation is read-modify-write. With several writers each taking its own copy, two concurrent
 * edits lose one of them, and each writer grew its own copy of the rules (reservation uniqueness,
 * CIDR overlap). Here one lock orders every edit on this server, the rules are checked once, in
 * one order, and each refusal says what kind it is ({@link NetworkEditException.Kind}).
 *
 * <p><b>Order of an edit</b>, all under the lock:
 * <ol>
 *   <li>read the current definition from the engine (not found → NOT_FOUND);
 *   <li>apply the change; the rules of the item changed (a reservation's address taken by another
 *       reservation or by a live lease → CONFLICT);
 *   <li>{@link NetworkValidator#validate} on the whole result (→ INVALID), then CIDR overlap with
 *       every other network (→ CONFLICT);
 *   <li>{@link AllocationEngine#putNetwork}: stored durably and re-indexed, or nothing changed;
 *   <li>listeners told, in edit order (the connectivity monitor re-checks the network).
 * </ol>
 * Reads ({@link #get}, {@link #list}) take no lock: the engine publishes each definition whole.
 *
 * <p>Several servers on one PostgreSQL store each have their own catalog; the engine's
 * {@code syncNetworks} brings in the others' edits. Two servers editing one network at the same
 * instant can still lose one edit (last writer wins), as before this class.
 */
public final class NetworkCatalog {
    private static final Logger log = LoggerFactory.getLogger(NetworkCatalog.class);

    /**
     * Hears every change, while the catalog's lock is held and in edit order: implementations
     * return at once (hand work to another thread) and never call back into the catalog.
     */
    public interface Listener {
        void networkChanged(NetworkSpec spec);

        void networkRemoved(String name);
    }

    /** What {@link #addReservation} does when a live lease of another client holds the address. */
    public enum LeaseClash {
        /** Refuse with CONFLICT naming the holder. */
        REFUSE,
        /**
         * Reserve anyway: the holder's next renewal is refused (the engine never grants an address
         * reserved for someone else, so the DHCP server NAKs), the client starts over and gets
         * another address, which releases this one for the reserved client.
         */
        TAKE_OVER
    }

    private final AllocationEngine engine;
    private final Clock clock;
    private final Object lock = new Object();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public NetworkCatalog(AllocationEngine engine, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public Optional<NetworkSpec> get(String name) {
        return engine.network(name);
    }

    /** Every network, by name. */
    public List<NetworkSpec> list() {
        return engine.networks();
    }

    /** A new network; CONFLICT when one of that name exists. */
    public NetworkSpec create(NetworkSpec spec) {
        return upsert(spec.name(), old -> {
            if (old.isPresent()) {
                throw NetworkEditException.conflict(new FieldProblem("name", "network \"" + spec.name() + "\" already exists"));
            }
            return spec;
        });
    }

    /** Replaces an existing network's definition whole; NOT_FOUND when there is none. */
    public NetworkSpec replace(NetworkSpec spec) {
        return edit(spec.name(), old -> spec);
    }

    /** Creates or replaces (the config file's networks at start: the file wins for those it names). */
    public NetworkSpec put(NetworkSpec spec) {
        return upsert(spec.name(), old -> spec);
    }

    /** What {@code change} makes of the network; NOT_FOUND when there is none. The same value back writes nothing. */
    public NetworkSpec edit(String name, UnaryOperator<NetworkSpec> change) {
        return upsert(name, old -> change.apply(old.orElseThrow(() -> noNetwork(name))));
    }

    /**
     * Creates or replaces network {@code name} with what {@code change} makes of the current
     * definition (empty when there is none). {@code change} runs under the lock and may throw a
     * {@link NetworkEditException} to refuse; returning the current value unchanged writes nothing.
     */
    public NetworkSpec upsert(String name, Function<Optional<NetworkSpec>, NetworkSpec> change) {
        synchronized (lock) {
            Optional<NetworkSpec> old = engine.network(name);
            NetworkSpec next = change.apply(old);
            if (old.isPresent() && old.get().equals(next)) {
                return next;
            }
            if (!next.name().equals(name)) {
                throw NetworkEditException.invalid(name, List.of(new FieldProblem("name",
                        "\"" + next.name() + "\" differs from the network edited, \"" + name + "\"")));
            }
            List<FieldProblem> problems = NetworkValidator.validate(next);
            if (!problems.isEmpty()) {
                throw NetworkEditException.invalid(name, problems);
            }
            List<NetworkSpec> clash = NetworkValidator.overlapping(next, engine.networks());
            if (!clash.isEmpty()) {
                NetworkSpec other = clash.getFirst();
                throw NetworkEditException.conflict(new FieldProblem("cidr", next.cidr() + " overlaps network "
                        + other.name() + " " + other.cidr()));
            }
            engine.putNetwork(next);
            if (old.isPresent()) {
                log.info(LogEvents.NETWORK_UPDATED + " network={} cidr={}", name, next.cidr());
            } else {
                log.info(LogEvents.NETWORK_CREATED + " network={} cidr={}", name, next.cidr());
            }
            for (Listener l : listeners) {
                l.networkChanged(next);
            }
            return next;
        }
    }

    /** Deletes the network and its leases; NOT_FOUND when there is none. */
    public void delete(String name) {
        synchronized (lock) {
            if (engine.network(name).isEmpty()) {
                throw noNetwork(name);
            }
            engine.removeNetwork(name);
            log.info(LogEvents.NETWORK_DELETED + " network={}", name);
            for (Listener l : listeners) {
                l.networkRemoved(name);
            }
        }
    }

    /** Adds a pool; overlapping another pool or leaving the CIDR is INVALID (the validator's rules). */
    public NetworkSpec addPool(String name, Ipv4Range range) {
        return edit(name, n -> n.withPools(append(n.pools(), range)));
    }

    public NetworkSpec removePool(String name, Ipv4Range range) {
        return edit(name, n -> {
            if (!n.pools().contains(range)) {
                throw NetworkEditException.notFound("network \"" + name + "\" has no pool " + range);
            }
            return n.withPools(n.pools().stream().filter(p -> !p.equals(range)).toList());
        });
    }

    /**
     * Adds a reservation. CONFLICT when its address is reserved for another client, when its MAC
     * or client-id already has another address, or (with {@link LeaseClash#REFUSE}) when another
     * client's bound lease holds the address now (the same reservation again is a CONFLICT too,
     * as the API always answered).
     */
    public Reservation addReservation(String name, Reservation r, LeaseClash onLease) {
        edit(name, n -> {
            for (Reservation o : n.reservations()) {
                if (o.ip().equals(r.ip())) {
                    throw NetworkEditException.conflict(new FieldProblem("ip", r.ip() + " is already reserved for " + holder(o)));
                }
                if (r.mac() != null && r.mac().equals(o.mac()) || r.clientId() != null && r.clientId().equals(o.clientId())) {
                    throw NetworkEditException.conflict(new FieldProblem(r.mac() != null ? "mac" : "clientId",
                            holder(r) + " already has a reservation (" + o.ip() + ")"));
                }
            }
            Lease live = liveLeaseOfOther(name, r);
            if (live != null) {
                if (onLease == LeaseClash.REFUSE) {
                    throw NetworkEditException.conflict(new FieldProblem("ip", r.ip() + " is leased to " + live.holder()
                            + " (mac " + live.mac() + ") until " + live.expiresAt()
                            + "; send \"takeOver\": true to reserve it anyway (the holder is refused at its next renewal)"));
                }
                log.info(LogEvents.RESERVATION_TAKE_OVER + " network={} ip={} holder={} for={}", name, r.ip(), live.holder(), holder(r));
            }
            return n.withReservations(append(n.reservations(), r));
        });
        return r;
    }

    /**
     * vmaddr import: adds the reservations that are new in one edit (one durable write of the
     * network), leaving alone, as conflicts, those whose address is reserved for another client or
     * outside the network (or its network, broadcast or gateway address), whose client already has
     * another reservation, or whose address another client's live lease holds. One that is there
     * already is unchanged. With {@code dryRun} nothing is written.
     */
    public ImportOutcome importReservations(String name, List<Reservation> given, boolean dryRun) {
        ImportOutcome[] outcome = {ImportOutcome.NOTHING};
        edit(name, n -> {
            List<Reservation> all = new ArrayList<>(n.reservations());
            List<ImportOutcome.Conflict> conflicts = new ArrayList<>();
            int added = 0;
            int unchanged = 0;
            for (Reservation r : given) {
                if (all.contains(r) || all.stream().anyMatch(o -> o.ip().equals(r.ip()) && sameClient(o, r)
                        && java.util.Objects.equals(o.hostname(), r.hostname()))) {
                    unchanged++;
                    continue;
                }
                String why = reservationConflict(n, all, r, name);
                if (why != null) {
                    conflicts.add(new ImportOutcome.Conflict(r.ip(), r.mac(), why));
                    continue;
                }
                all.add(r);
                added++;
            }
            outcome[0] = new ImportOutcome(added, unchanged, conflicts);
            return dryRun || added == 0 ? n : n.withReservations(all);
        });
        if (!dryRun && outcome[0].imported() > 0) {
            log.info(LogEvents.RESERVATION_IMPORTED + " network={} imported={} unchanged={} conflicts={}", name,
                    outcome[0].imported(), outcome[0].unchanged(), outcome[0].conflicts().size());
        }
        return outcome[0];
    }

    private static boolean sameClient(Reservation a, Reservation b) {
        return java.util.Objects.equals(a.mac(), b.mac()) && java.util.Objects.equals(a.clientId(), b.clientId());
    }

    private String reservationConflict(NetworkSpec n, List<Reservation> all, Reservation r, String name) {
        if (!n.cidr().contains(r.ip())) {
            return r.ip() + " is not in network " + name + " (" + n.cidr() + ")";
        }
        if (n.cidr().isNetworkOrBroadcast(r.ip()) || r.ip().equals(n.gateway())) {
            return r.ip() + " is the network, broadcast or gateway address of " + name;
        }
        for (Reservation o : all) {
            if (o.ip().equals(r.ip())) {
                return r.ip() + " is already reserved for " + holder(o);
            }
            if (r.mac() != null && r.mac().equals(o.mac()) || r.clientId() != null && r.clientId().equals(o.clientId())) {
                return holder(r) + " already has a reservation (" + o.ip() + ")";
            }
        }
        Lease live = liveLeaseOfOther(name, r);
        return live == null ? null : r.ip() + " is leased to " + live.holder() + " (mac " + live.mac() + ") in vmaddr until "
                + live.expiresAt();
    }

    /** Removes the reservation of {@code ip}; NOT_FOUND when there is none. */
    public NetworkSpec removeReservation(String name, Ipv4Address ip) {
        return edit(name, n -> {
            if (n.reservations().stream().noneMatch(r -> r.ip().equals(ip))) {
                throw NetworkEditException.notFound("network \"" + name + "\" has no reservation for " + ip);
            }
            return n.withReservations(n.reservations().stream().filter(r -> !r.ip().equals(ip)).toList());
        });
    }

    /** A bound lease on the reservation's address, held now by a client the reservation is not for; null if none. */
    private Lease liveLeaseOfOther(String network, Reservation r) {
        Instant now = clock.instant();
        Lease l = engine.lease(network, r.ip()).orElse(null);
        if (l == null || l.state() != LeaseState.BOUND || !l.occupiesAt(now) || r.matches(l.mac(), l.clientId())) {
            return null;
        }
        return l;
    }

    private static NetworkEditException noNetwork(String name) {
        return NetworkEditException.notFound("no network \"" + name + "\"");
    }

    private static String holder(Reservation r) {
        return r.mac() != null ? "mac " + r.mac() : "client-id " + r.clientId();
    }

    private static <T> List<T> append(List<T> list, T item) {
        List<T> out = new ArrayList<>(list);
        out.add(item);
        return out;
    }
}
