package dev.vmaddr.store.memory;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.HistoryCursor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.HistoryStore;
import dev.vmaddr.store.LeasePages;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.MacStore;
import dev.vmaddr.store.NetworkStore;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.WriteResult;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A <b>non-durable</b> {@link Store} held in memory: for tests and benchmarks only, never for a
 * running server (everything is lost at exit). It honours the contract's conditional writes
 * (lease put refuses another holder's occupying lease, MAC claim refuses a blocking record) so
 * engines tested against it behave as they would against a real store.
 *
 * <p>Concurrency: each network's leases are guarded by that network's monitor; MACs by the
 * atomic {@link ConcurrentHashMap#compute}; the rest are concurrent maps. History keeps the most
 * recent {@value #HISTORY_LIMIT} events so long benchmarks do not grow without bound.
 * {@link #failWrites} makes every write throw {@link StoreException}, to test "store gone" paths.
 */
public final class MemoryStore implements Store {
    static final int HISTORY_LIMIT = 100_000;

    private final Map<String, NetworkSpec> networks = new ConcurrentSkipListMap<>();
    private final Map<String, LeaseTable> leases = new ConcurrentHashMap<>();
    private final Map<MacAddress, MacRecord> macs = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> documents = new ConcurrentHashMap<>();
    private final Deque<HistoryEvent> history = new ArrayDeque<>();
    /** Sequence number of the oldest event kept (guarded by {@code history}): the cursor's tie-breaker. */
    private long historyFirstSeq;
    private volatile boolean failWrites;
    private volatile boolean closed;

    private final NetworkStore networkStore = new Networks();
    private final LeaseStore leaseStore = new Leases();
    private final MacStore macStore = new Macs();
    private final DocumentStore documentStore = new Documents();
    private final HistoryStore historyStore = new History();

    /** From now on every write throws {@link StoreException} (true) or works again (false). */
    public void failWrites(boolean fail) {
        this.failWrites = fail;
    }

    @Override
    public NetworkStore networks() {
        return networkStore;
    }

    @Override
    public LeaseStore leases() {
        return leaseStore;
    }

    @Override
    public MacStore macs() {
        return macStore;
    }

    @Override
    public DocumentStore documents() {
        return documentStore;
    }

    @Override
    public HistoryStore history() {
        return historyStore;
    }

    @Override
    public boolean writable() {
        return !failWrites && !closed;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void beforeWrite() {
        if (closed) {
            throw new StoreException("memory store is closed");
        }
        if (failWrites) {
            throw new StoreException("memory store is set to fail writes");
        }
    }

    private void record(HistoryEvent e) {
        synchronized (history) {
            history.addLast(e);
            if (history.size() > HISTORY_LIMIT) {
                history.removeFirst();
                historyFirstSeq++;
            }
        }
    }

    /**
     * One network's leases: by IP, and each holder's addresses in the order they were last written
     * (the last one is the holder's latest lease; see {@link LeaseTable#byHolder}). An address is in the set of its current holder
     * only, so the holder map is bounded by the addresses, not by every client ever seen, and a
     * holder whose latest address went to someone else still finds its older lease.
     */
    private static final class LeaseTable {
        final TreeMap<Ipv4Address, Lease> byIp = new TreeMap<>();
        /**
         * A holder's one address (nearly every holder has one), or a {@link LinkedHashSet} of them in
         * the order written once it has more: a set per holder made every write of a new client
         * allocate ~250 bytes (issue 16's AllocationBenchmark regression).
         */
        final Map<HolderKey, Object> byHolder = new HashMap<>();

        void written(HolderKey holder, Ipv4Address ip) {
            Object cur = byHolder.get(holder);
            if (cur == null || cur.equals(ip)) {
                byHolder.put(holder, ip);
            } else if (cur instanceof Ipv4Address only) {
                LinkedHashSet<Ipv4Address> ips = new LinkedHashSet<>(4);
                ips.add(only);
                ips.add(ip); // now the latest
                byHolder.put(holder, ips);
            } else {
                @SuppressWarnings("unchecked")
                LinkedHashSet<Ipv4Address> ips = (LinkedHashSet<Ipv4Address>) cur;
                ips.remove(ip);
                ips.add(ip);
            }
        }

        void lost(HolderKey holder, Ipv4Address ip) {
            Object cur = byHolder.get(holder);
            if (cur instanceof LinkedHashSet<?> ips) {
                if (ips.remove(ip) && ips.size() == 1) {
                    byHolder.put(holder, ips.getFirst());
                }
            } else if (ip.equals(cur)) {
                byHolder.remove(holder);
            }
        }

        /** The address written last for {@code holder}, or null. */
        Ipv4Address latest(HolderKey holder) {
            Object cur = byHolder.get(holder);
            return cur == null || cur instanceof Ipv4Address ? (Ipv4Address) cur : (Ipv4Address) ((LinkedHashSet<?>) cur).getLast();
        }
    }

    private LeaseTable table(String network) {
        return leases.computeIfAbsent(network, n -> new LeaseTable());
    }

    private final class Networks implements NetworkStore {
        @Override
        public void put(NetworkSpec network) {
            beforeWrite();
            networks.put(network.name(), network);
        }

        @Override
        public boolean delete(String name) {
            beforeWrite();
            leases.remove(name);
            return networks.remove(name) != null;
        }

        @Override
        public Optional<NetworkSpec> get(String name) {
            return Optional.ofNullable(networks.get(name));
        }

        @Override
        public List<NetworkSpec> list() {
            return List.copyOf(networks.values());
        }
    }

    private final class Leases implements LeaseStore {
        @Override
        public WriteResult put(Lease lease, Instant now) {
            LeaseTable t = table(lease.network());
            synchronized (t) {
                Lease current = t.byIp.get(lease.ip());
                if (current != null && current.occupiesAt(now) && !current.holder().equals(lease.holder())) {
                    return WriteResult.conflict(current);
                }
                beforeWrite();
                t.byIp.put(lease.ip(), lease);
                if (current != null && !current.holder().equals(lease.holder())) {
                    t.lost(current.holder(), lease.ip());
                }
                t.written(lease.holder(), lease.ip());
                if (current == null || current.state() != lease.state() || !current.holder().equals(lease.holder())) {
                    record(new HistoryEvent(now, lease.network(), lease.ip(), lease.mac(), lease.holder().toString(),
                            lease.state().wireName(), HistoryActor.current(), null));
                }
                return WriteResult.APPLIED;
            }
        }

        /** Not durable (nothing here is): the same decisions as {@link #put}, one lease after the other. */
        @Override
        public List<WriteResult> putAll(List<Lease> leases, Instant now) {
            LeaseStore.requireDistinctAddresses(leases);
            beforeWrite();
            List<WriteResult> results = new ArrayList<>(leases.size());
            for (Lease l : leases) {
                results.add(put(l, now));
            }
            return results;
        }

        @Override
        public boolean remove(String network, Ipv4Address ip) {
            LeaseTable t = table(network);
            synchronized (t) {
                beforeWrite();
                Lease removed = t.byIp.remove(ip);
                if (removed != null) {
                    t.lost(removed.holder(), ip);
                }
                return removed != null;
            }
        }

        @Override
        public Optional<Lease> get(String network, Ipv4Address ip) {
            LeaseTable t = leases.get(network);
            if (t == null) {
                return Optional.empty();
            }
            synchronized (t) {
                return Optional.ofNullable(t.byIp.get(ip));
            }
        }

        @Override
        public Optional<Lease> findByHolder(String network, HolderKey holder) {
            LeaseTable t = leases.get(network);
            if (t == null) {
                return Optional.empty();
            }
            synchronized (t) {
                Ipv4Address ip = t.latest(holder);
                return ip == null ? Optional.empty() : Optional.of(t.byIp.get(ip));
            }
        }

        @Override
        public List<Lease> list(String network, Ipv4Address after, int limit, Predicate<Lease> filter) {
            LeasePages.checkArguments(network, limit, filter);
            LeaseTable t = leases.get(network);
            if (t == null) {
                return List.of();
            }
            List<Lease> out = new ArrayList<>(Math.min(limit, 512));
            synchronized (t) {
                // the tree is ordered by address: a page is a search plus a walk, never the whole network
                for (Lease l : (after == null ? t.byIp : t.byIp.tailMap(after, false)).values()) {
                    if (filter.test(l)) {
                        out.add(l);
                        if (out.size() == limit) {
                            break;
                        }
                    }
                }
            }
            return out;
        }

        @Override
        public void forEach(Consumer<Lease> action) {
            for (LeaseTable t : leases.values()) {
                List<Lease> copy;
                synchronized (t) {
                    copy = new ArrayList<>(t.byIp.values());
                }
                copy.forEach(action);
            }
        }

        @Override
        public long count() {
            long n = 0;
            for (LeaseTable t : leases.values()) {
                synchronized (t) {
                    n += t.byIp.size();
                }
            }
            return n;
        }
    }

    private final class Macs implements MacStore {
        @Override
        public boolean claim(MacRecord record, Instant now) {
            boolean[] applied = {false};
            macs.compute(record.mac(), (mac, current) -> {
                if (current != null && current.blocksAt(now) && !Objects.equals(current.owner(), record.owner())) {
                    return current;
                }
                beforeWrite();
                applied[0] = true;
                return record;
            });
            if (applied[0] && record.state() == dev.vmaddr.model.MacState.ALLOCATED) {
                record(new HistoryEvent(now, null, null, record.mac(), record.owner(), "mac-allocated", HistoryActor.current(), null));
            }
            return applied[0];
        }

        @Override
        public void put(MacRecord record) {
            beforeWrite();
            MacRecord before = macs.put(record.mac(), record);
            if (record.state() == dev.vmaddr.model.MacState.QUARANTINED && before != null
                    && before.state() == dev.vmaddr.model.MacState.ALLOCATED) {
                record(new HistoryEvent(record.updatedAt(), null, null, record.mac(), before.owner(), "mac-released", HistoryActor.current(), null));
            }
        }

        @Override
        public boolean remove(MacAddress mac) {
            beforeWrite();
            return macs.remove(mac) != null;
        }

        @Override
        public Optional<MacRecord> get(MacAddress mac) {
            return Optional.ofNullable(macs.get(mac));
        }

        @Override
        public List<MacRecord> list() {
            List<MacRecord> all = new ArrayList<>(macs.values());
            all.sort((a, b) -> a.mac().compareTo(b.mac()));
            return all;
        }
    }

    private final class Documents implements DocumentStore {
        @Override
        public void put(String kind, String key, String json) {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(json, "json");
            beforeWrite();
            documents.computeIfAbsent(kind, k -> new ConcurrentSkipListMap<>()).put(key, json);
        }

        @Override
        public boolean delete(String kind, String key) {
            beforeWrite();
            Map<String, String> m = documents.get(kind);
            return m != null && m.remove(key) != null;
        }

        @Override
        public Optional<String> get(String kind, String key) {
            Map<String, String> m = documents.get(kind);
            return m == null ? Optional.empty() : Optional.ofNullable(m.get(key));
        }

        @Override
        public Map<String, String> list(String kind) {
            Map<String, String> m = documents.get(kind);
            return m == null ? Map.of() : new TreeMap<>(m);
        }
    }

    private final class History implements HistoryStore {
        @Override
        public void append(HistoryEvent event) {
            beforeWrite();
            record(event);
        }

        @Override
        public List<HistoryEvent> query(Ipv4Address ip, MacAddress mac, String holderContains, Instant from, Instant to,
                                        int limit) {
            List<HistoryEvent> out = new ArrayList<>();
            synchronized (history) {
                for (HistoryEvent e : history) {
                    if (out.size() >= limit) {
                        break;
                    }
                    if ((ip == null || ip.equals(e.ip())) && (mac == null || mac.equals(e.mac()))
                            && (holderContains == null || (e.holder() != null && e.holder().contains(holderContains)))
                            && (from == null || !e.at().isBefore(from)) && (to == null || e.at().isBefore(to))) {
                        out.add(e);
                    }
                }
            }
            return out;
        }

        @Override
        public HistoryPage page(HistoryQuery q) {
            record Seqd(HistoryEvent e, long seq) {}
            List<Seqd> found = new ArrayList<>();
            synchronized (history) {
                long seq = historyFirstSeq;
                for (HistoryEvent e : history) {
                    if (q.matches(e) && (q.after() == null || q.after().admits(e.at(), seq))) {
                        found.add(new Seqd(e, seq));
                    }
                    seq++;
                }
            }
            found.sort(java.util.Comparator.comparing((Seqd s) -> s.e().at()).thenComparingLong(Seqd::seq).reversed());
            List<HistoryEvent> items = found.stream().limit(q.limit()).map(Seqd::e).toList();
            HistoryCursor next = null;
            if (found.size() > q.limit()) {
                Seqd last = found.get(q.limit() - 1);
                next = new HistoryCursor(last.e().at(), last.seq());
            }
            return new HistoryPage(items, next);
        }

        @Override
        public long prune(Instant cutoff) {
            long n = 0;
            synchronized (history) {
                while (!history.isEmpty() && history.peekFirst().at().isBefore(cutoff)) {
                    history.removeFirst();
                    historyFirstSeq++;
                    n++;
                }
            }
            return n;
        }
    }
}
