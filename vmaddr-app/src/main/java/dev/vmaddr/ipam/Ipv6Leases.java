package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv6Address;
import dev.vmaddr.addr.Ipv6Range;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.index.FreeBitmap;
import dev.vmaddr.model.Duid;
import dev.vmaddr.model.Ipv6Reservation;
import dev.vmaddr.model.Lease6;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.DocumentLease6Store;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.Lease6Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;

/**
 * DHCPv6 IA_NA addresses of every network: the one owner of IPv6 lease state. Per network, a
 * {@link FreeBitmap} over the {@code ipv6Pools} (the same free-index structure as IPv4: finding a
 * free address costs the same at any fill) and maps by address and by DUID + IAID. Bindings are
 * durable before {@link #bind} returns ({@link Lease6Store}); {@link #load} rebuilds everything from
 * them at start. On a store several servers share, the store refuses an address another server's
 * client holds: {@link #bind} then learns that lease and picks another address, and
 * {@link #reclaimExpired} learns the other servers' writes every round.
 *
 * <p>Expiry: {@link #reclaimExpired} (the server's reclaim job, as for IPv4) turns bound leases past
 * their valid lifetime into expired ones, durably, and returns their addresses to the pool;
 * {@link #leases} shows a run-out lease as expired even before that round.
 *
 * <p>Threads: one lock per network (its {@code Book}); the durable write happens outside it, after
 * the address is taken in memory, so writes of one network overlap in the store's group commit.
 */
public final class Ipv6Leases {
    /** How long an ADVERTISEd address stays held for the client's REQUEST (not durable). */
    public static final Duration OFFER_HOLD = Duration.ofSeconds(30);
    /** How long a DECLINEd address stays out of use. */
    public static final Duration DECLINE_QUARANTINE = Duration.ofMinutes(10);

    /** Attempts of one {@link #bind} when the shared store says other servers' clients hold the addresses. */
    private static final int BIND_ATTEMPTS = 8;

    private final Lease6Store store;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<String, Book> books = new ConcurrentHashMap<>();

    /** One network's addresses. Guarded by itself. */
    private static final class Book {
        final Map<Ipv6Address, Lease6> byIp = new HashMap<>();
        final Map<Lease6.Holder, Lease6> byHolder = new HashMap<>();
        List<Ipv6Range> pools = List.of();
        List<Ipv6Reservation> reservations = List.of();
        FreeBitmap free = new FreeBitmap(0);
    }

    /** Over documents of kind {@code lease6}: a store only this server uses. */
    public Ipv6Leases(DocumentStore documents, Clock clock, RandomGenerator random) {
        this(new DocumentLease6Store(documents), clock, random);
    }

    public Ipv6Leases(Lease6Store store, Clock clock, RandomGenerator random) {
        this.store = store;
        this.clock = clock;
        this.random = random;
    }

    /** Reads every stored DHCPv6 lease; call once before serving. */
    public void load() {
        for (Lease6 l : store.list()) {
            Book b = books.computeIfAbsent(l.network(), k -> new Book());
            synchronized (b) {
                put(b, l);
            }
        }
    }

    /** The client's binding (any state), if it has one. */
    public Optional<Lease6> find(NetworkSpec n, Duid duid, long iaid) {
        Book b = book(n);
        synchronized (b) {
            return Optional.ofNullable(b.byHolder.get(new Lease6.Holder(duid, iaid)));
        }
    }

    /** The lease of {@code ip}, if any. */
    public Optional<Lease6> lease(String network, Ipv6Address ip) {
        Book b = books.get(network);
        if (b == null) {
            return Optional.empty();
        }
        synchronized (b) {
            return Optional.ofNullable(b.byIp.get(ip));
        }
    }

    /** Every lease of {@code network} by address, as of now: a bound lease run out shows as expired. */
    public List<Lease6> leases(String network) {
        Book b = books.get(network);
        if (b == null) {
            return List.of();
        }
        List<Lease6> out;
        synchronized (b) {
            out = new ArrayList<>(b.byIp.values());
        }
        Instant now = clock.instant();
        out.replaceAll(l -> l.asOf(now));
        out.sort(Comparator.comparing((Lease6 l) -> l.ip().high()).thenComparing(l -> l.ip().low(), Long::compareUnsigned));
        return out;
    }

    /**
     * The newest BOUND, unexpired binding whose recorded MAC is {@code mac} (the VM inventory's
     * DHCPv6 address of a NIC). A scan of the network's bindings under its lock, without the copy and
     * sort of {@link #leases}: a book holds at most its pools' size, and views ask once per NIC.
     */
    public Optional<Lease6> boundTo(String network, MacAddress mac) {
        Book b = books.get(network);
        if (b == null || mac == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Lease6 best = null;
        synchronized (b) {
            for (Lease6 l : b.byHolder.values()) {
                if (mac.equals(l.mac()) && l.state() == LeaseState.BOUND && l.occupiesAt(now)
                        && (best == null || l.updatedAt().isAfter(best.updatedAt()))) {
                    best = l;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** How many of the network's pool addresses are free now (not bound, offered, declined or reserved). */
    public long freeAddresses(NetworkSpec n) {
        Book b = book(n);
        synchronized (b) {
            return b.free.freeCount();
        }
    }

    /** SOLICIT: an address for the client held in memory for {@link #OFFER_HOLD}; empty when none is free. */
    public Optional<Lease6> offer(NetworkSpec n, Duid duid, long iaid, MacAddress mac, Ipv6Address hint) {
        Book b = book(n);
        Instant now = clock.instant();
        synchronized (b) {
            Lease6.Holder h = new Lease6.Holder(duid, iaid);
            Lease6 own = b.byHolder.get(h);
            if (own != null && own.state() == LeaseState.BOUND && own.occupiesAt(now) && usable(n, b, own.ip(), h, now)) {
                return Optional.of(own);
            }
            Ipv6Address ip = choose(n, b, h, mac, hint, now);
            if (ip == null) {
                return Optional.empty();
            }
            Lease6 offered = new Lease6(n.name(), ip, duid, iaid, mac, null, LeaseState.OFFERED, now.plus(OFFER_HOLD), now);
            put(b, offered);
            return Optional.of(offered);
        }
    }

    /**
     * REQUEST, RENEW, REBIND, rapid-commit SOLICIT: the client's address BOUND for the network's
     * lease time, durable on return; empty when no address is free.
     */
    public Optional<Lease6> bind(NetworkSpec n, Duid duid, long iaid, MacAddress mac, Ipv6Address hint, String hostname) {
        Book b = book(n);
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            Optional<Lease6> bound = bindOnce(n, b, duid, iaid, mac, hint, hostname);
            if (bound != null) {
                return bound;
            }
        }
        return Optional.empty();
    }

    /** One attempt: the binding, empty when no address is free, null when another server's client holds it. */
    private Optional<Lease6> bindOnce(NetworkSpec n, Book b, Duid duid, long iaid, MacAddress mac, Ipv6Address hint,
                                      String hostname) {
        Instant now = clock.instant();
        Lease6 bound;
        synchronized (b) {
            Lease6.Holder h = new Lease6.Holder(duid, iaid);
            Lease6 own = b.byHolder.get(h);
            Ipv6Address ip = choose(n, b, h, mac, hint, now);
            if (ip == null) {
                return Optional.empty();
            }
            bound = new Lease6(n.name(), ip, duid, iaid, mac != null ? mac : own != null ? own.mac() : null,
                    hostname != null ? hostname : own != null && own.ip().equals(ip) ? own.hostname() : null,
                    LeaseState.BOUND, now.plus(n.leaseTime()), now);
            put(b, bound);
        }
        Optional<Lease6> held = store.putUnlessHeld(bound, now);
        if (held.isPresent()) {
            synchronized (b) {
                put(b, held.get()); // another server's client: ours no more, and the address taken
            }
            return null;
        }
        return Optional.of(bound);
    }

    /** RELEASE: the client's address free again (remembered for it); empty when it holds no such binding. */
    public Optional<Lease6> release(String network, Duid duid, long iaid, Ipv6Address ip) {
        return end(network, duid, iaid, ip, LeaseState.RELEASED, Duration.ZERO);
    }

    /** DECLINE: the address is in use by someone else; out of use for {@link #DECLINE_QUARANTINE}. */
    public Optional<Lease6> decline(String network, Duid duid, long iaid, Ipv6Address ip) {
        return end(network, duid, iaid, ip, LeaseState.DECLINED, DECLINE_QUARANTINE);
    }

    private Optional<Lease6> end(String network, Duid duid, long iaid, Ipv6Address ip, LeaseState state, Duration hold) {
        Book b = books.get(network);
        if (b == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Lease6 ended;
        synchronized (b) {
            Lease6 l = b.byIp.get(ip);
            if (l == null || !l.holder().equals(new Lease6.Holder(duid, iaid)) || l.state() != LeaseState.BOUND) {
                return Optional.empty();
            }
            ended = l.withState(state, now.plus(hold), now);
            put(b, ended);
        }
        Optional<Lease6> held = store.putUnlessHeld(ended, now);
        if (held.isPresent()) {
            synchronized (b) {
                put(b, held.get()); // another server gave the address away meanwhile: not the client's to end
            }
            return Optional.empty();
        }
        return Optional.of(ended);
    }

    /**
     * The reclaim round: first the leases other servers sharing the store wrote; then, network by
     * network under its lock, bound leases past their valid lifetime become expired (durably) and
     * free, offers past their hold are dropped, declined addresses past their quarantine are free.
     * Returns how many addresses became free.
     */
    public int reclaimExpired() {
        Instant polled = clock.instant();
        for (Lease6 l : store.othersChanges()) {
            Book b = books.computeIfAbsent(l.network(), k -> new Book());
            synchronized (b) {
                // The store's row is the truth (another server wrote it last), unless this server changed
                // the address since the read began. Compared on this server's clock only: no skew.
                Lease6 mine = b.byIp.get(l.ip());
                if (mine == null || mine.state() == LeaseState.OFFERED || !mine.updatedAt().isAfter(polled)) {
                    put(b, l);
                }
            }
        }
        int freed = 0;
        for (Book b : books.values()) {
            synchronized (b) {
                freed += reclaim(b, clock.instant());
            }
        }
        return freed;
    }

    /**
     * Inside the book's lock, writes included (as the IPv4 reclaimer does): a renewal of the same
     * client cannot slip between the check and the expiry write and be overwritten by it.
     */
    private int reclaim(Book b, Instant now) {
        List<Lease6> runOut = new ArrayList<>();
        int freed = 0;
        for (Iterator<Lease6> it = b.byIp.values().iterator(); it.hasNext(); ) {
            Lease6 l = it.next();
            if (l.occupiesAt(now)) {
                continue;
            }
            if (l.state() == LeaseState.BOUND) {
                runOut.add(l);
            } else if (l.state() == LeaseState.OFFERED) {
                it.remove(); // never durable: nothing to write
                b.byHolder.remove(l.holder(), l);
                freed += freeUnlessReserved(b, l.ip());
            } else {
                freed += freeUnlessReserved(b, l.ip()); // declined past its quarantine
            }
        }
        for (Lease6 l : runOut) {
            Lease6 expired = l.withState(LeaseState.EXPIRED, l.expiresAt(), now);
            Optional<Lease6> current = store.expireIfRunOut(expired, now);
            if (current.isEmpty() && b.byHolder.get(l.holder()) != l) {
                b.byIp.put(l.ip(), expired); // an address its client left for another: its binding stays
                freeUnlessReserved(b, l.ip());
            } else {
                put(b, current.orElse(expired)); // renewed or taken through another server: as it is now
            }
            freed += current.isEmpty() && !reserved(b, l.ip()) ? 1 : 0;
        }
        return freed;
    }

    private static int freeUnlessReserved(Book b, Ipv6Address ip) {
        if (reserved(b, ip)) {
            return 0;
        }
        long p = position(b, ip);
        return p >= 0 && b.free.setFree(p) ? 1 : 0;
    }

    // ---- inside a book's lock ----

    private Book book(NetworkSpec n) {
        Book b = books.computeIfAbsent(n.name(), k -> new Book());
        synchronized (b) {
            if (!b.pools.equals(n.ipv6Pools()) || !b.reservations.equals(n.ipv6Reservations())) {
                rebuild(n, b);
            }
        }
        return b;
    }

    /** The pools or reservations changed (config, API): a new bitmap with what is taken now. */
    private void rebuild(NetworkSpec n, Book b) {
        b.pools = n.ipv6Pools();
        b.reservations = n.ipv6Reservations();
        long size = 0;
        for (Ipv6Range r : b.pools) {
            size += r.size();
        }
        b.free = new FreeBitmap(size);
        Instant now = clock.instant();
        for (Lease6 l : b.byIp.values()) {
            if (l.occupiesAt(now)) {
                take(b, l.ip());
            }
        }
        for (Ipv6Reservation r : b.reservations) {
            take(b, r.ip());
        }
    }

    private void put(Book b, Lease6 l) {
        Lease6 previous = b.byIp.put(l.ip(), l);
        if (previous != null && !previous.holder().equals(l.holder())) {
            b.byHolder.remove(previous.holder(), previous);
        }
        Lease6 old = b.byHolder.put(l.holder(), l);
        if (old != null && !old.ip().equals(l.ip())) {
            // The client moved: its old address is free unless someone else holds it, or it still
            // occupies it (declined: quarantined; bound elsewhere until it runs out), as the store
            // says and a restart would read: then the reclaim round frees it when its time is up.
            if (b.byIp.get(old.ip()) == old && !old.occupiesAt(clock.instant())) {
                b.byIp.remove(old.ip());
                freeIfPool(b, old.ip());
            }
        }
        if (l.occupiesAt(clock.instant())) {
            take(b, l.ip());
        } else if (!reserved(b, l.ip())) {
            freeIfPool(b, l.ip());
        }
    }

    private Ipv6Address choose(NetworkSpec n, Book b, Lease6.Holder h, MacAddress mac, Ipv6Address hint, Instant now) {
        Ipv6Reservation r = reservedFor(n, h.duid(), mac);
        if (r != null) {
            Lease6 l = b.byIp.get(r.ip());
            return l == null || l.holder().equals(h) || !l.occupiesAt(now) ? r.ip() : null;
        }
        Lease6 own = b.byHolder.get(h);
        if (own != null && own.state() != LeaseState.DECLINED && usable(n, b, own.ip(), h, now)) {
            return own.ip(); // sticky: its last address when still free
        }
        if (hint != null && usable(n, b, hint, h, now)) {
            return hint;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            if (b.free.size() > 0) {
                long p = b.free.nextFreeWrapping(random.nextLong(b.free.size()));
                if (p >= 0) {
                    return at(b, p);
                }
            }
            sweepExpired(b, now);
        }
        return null;
    }

    /** Whether {@code ip} is in a pool, not reserved for another client, and not held by another one. */
    private boolean usable(NetworkSpec n, Book b, Ipv6Address ip, Lease6.Holder h, Instant now) {
        if (position(b, ip) < 0) {
            return n.ipv6Reservations().stream().anyMatch(r -> r.ip().equals(ip) && r.duid() != null && r.duid().equals(h.duid()));
        }
        if (reserved(b, ip)) {
            return false;
        }
        Lease6 l = b.byIp.get(ip);
        return l == null || l.holder().equals(h) && l.state() != LeaseState.DECLINED || !l.occupiesAt(now);
    }

    private static Ipv6Reservation reservedFor(NetworkSpec n, Duid duid, MacAddress mac) {
        MacAddress m = mac != null ? mac : duid.linkLayerAddress();
        for (Ipv6Reservation r : n.ipv6Reservations()) {
            if (r.matches(duid, m)) {
                return r;
            }
        }
        return null;
    }

    private static boolean reserved(Book b, Ipv6Address ip) {
        for (Ipv6Reservation r : b.reservations) {
            if (r.ip().equals(ip)) {
                return true;
            }
        }
        return false;
    }

    private void sweepExpired(Book b, Instant now) {
        for (Lease6 l : b.byIp.values()) {
            if (!l.occupiesAt(now) && !reserved(b, l.ip())) {
                freeIfPool(b, l.ip());
            }
        }
    }

    private static void take(Book b, Ipv6Address ip) {
        long p = position(b, ip);
        if (p >= 0) {
            b.free.setTaken(p);
        }
    }

    private static void freeIfPool(Book b, Ipv6Address ip) {
        long p = position(b, ip);
        if (p >= 0) {
            b.free.setFree(p);
        }
    }

    private static long position(Book b, Ipv6Address ip) {
        long base = 0;
        for (Ipv6Range r : b.pools) {
            if (r.contains(ip)) {
                return base + (ip.low() - r.first().low());
            }
            base += r.size();
        }
        return -1;
    }

    private static Ipv6Address at(Book b, long p) {
        long base = 0;
        for (Ipv6Range r : b.pools) {
            if (p < base + r.size()) {
                return r.at(p - base);
            }
            base += r.size();
        }
        throw new IllegalStateException("position " + p + " outside the pools");
    }
}
