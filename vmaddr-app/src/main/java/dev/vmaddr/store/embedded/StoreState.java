package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.MacState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.compact.LeaseEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The current state, rebuilt from snapshot + log at start and changed by {@link #apply} in log
 * order. Not thread-safe: it is read and changed under {@link GroupCommitLog}'s lock. Every {@link #apply}
 * returns the undo of what it did, so the writes of a batch that could not be made durable are
 * taken back.
 *
 * <p>History: lease writes that change the holder or the state of an address, and MAC writes that
 * change the owner or state, append an event derived from the record itself (time = the record's
 * {@code updatedAt}), so replaying the log rebuilds the same history without storing it twice.
 * History is capped to the newest {@code historyMax} events (and pruned by age at snapshots).
 */
final class StoreState {
    final Map<String, LeaseTable> leases = new HashMap<>();
    final Map<MacAddress, MacRecord> macs = new HashMap<>();
    final TreeMap<String, NetworkSpec> networks = new TreeMap<>();
    /**
     * Documents by kind, then key. Hashed, not sorted: a DHCPv6 binding of a new client inserts a key,
     * and a sorted map paid ~20 string comparisons of long common prefixes ("net|2001:db8:...") and a
     * rebalance for it; {@code list}, which the contract orders by key, sorts instead (once at start).
     */
    final Map<String, HashMap<String, String>> documents = new HashMap<>();
    final HistoryLog history;
    long leaseCount;

    StoreState(int historyMax) {
        this.history = new HistoryLog(historyMax);
    }

    /** Applies one change; returns its undo. {@code deriveHistory} is false when loading a snapshot. */
    Runnable apply(Op op, boolean deriveHistory) {
        return switch (op) {
            case Op.LeasePut p -> putLease(p.network(), p.entry(), p.actor(), deriveHistory);
            case Op.LeaseRemove r -> removeLease(r.network(), r.ip());
            case Op.MacPut m -> putMac(m.record(), m.actor(), deriveHistory);
            case Op.MacRemove m -> {
                MacRecord old = macs.remove(new MacAddress(m.mac()));
                yield () -> {
                    if (old != null) {
                        macs.put(old.mac(), old);
                    }
                };
            }
            case Op.NetworkPut n -> {
                NetworkSpec old = networks.put(n.network().name(), n.network());
                yield () -> {
                    if (old == null) {
                        networks.remove(n.network().name());
                    } else {
                        networks.put(old.name(), old);
                    }
                };
            }
            case Op.NetworkDelete d -> {
                NetworkSpec old = networks.remove(d.name());
                LeaseTable table = leases.remove(d.name());
                if (table != null) {
                    leaseCount -= table.size();
                }
                yield () -> {
                    if (old != null) {
                        networks.put(old.name(), old);
                    }
                    if (table != null) {
                        leases.put(d.name(), table);
                        leaseCount += table.size();
                    }
                };
            }
            case Op.DocumentPut d -> {
                String old = documents.computeIfAbsent(d.kind(), k -> new HashMap<>()).put(d.key(), d.json());
                yield () -> restoreDocument(d.kind(), d.key(), old);
            }
            case Op.DocumentDelete d -> {
                HashMap<String, String> docs = documents.get(d.kind());
                String old = docs == null ? null : docs.remove(d.key());
                yield () -> restoreDocument(d.kind(), d.key(), old);
            }
            case Op.HistoryAppend h -> addHistory(StoredEvent.of(h.event()));
            case Op.HistoryPrune p -> {
                history.pruneBefore(p.cutoff());
                // No undo: if the record does not become durable, the events it dropped were due to go
                // anyway; the next prune (or the retention applied at start) drops them again.
                yield () -> {};
            }
            case Op.SnapshotEnd s -> () -> {};
        };
    }

    private void restoreDocument(String kind, String key, String old) {
        HashMap<String, String> docs = documents.computeIfAbsent(kind, k -> new HashMap<>());
        if (old == null) {
            docs.remove(key);
        } else {
            docs.put(key, old);
        }
    }

    private Runnable putLease(String network, LeaseEntry entry, String actor, boolean deriveHistory) {
        LeaseTable table = leases.computeIfAbsent(network, LeaseTable::new);
        LeaseEntry old = table.put(entry);
        if (old == null) {
            leaseCount++;
        }
        Runnable historyUndo = null;
        // Offers are not history (PostgreSQL's trigger skips them too); a renewal (same holder, same
        // state) is coalesced into the binding's event (see HistoryKinds).
        if (deriveHistory && entry.leaseState() != LeaseState.OFFERED
                && (old == null || old.state() != entry.state() || !old.sameHolder(entry))) {
            historyUndo = addHistory(StoredEvent.ofLease(entry.updatedAt(), table.network, entry, actor));
        }
        Runnable h = historyUndo;
        return () -> {
            if (h != null) {
                h.run();
            }
            table.restore(entry.ip(), old, entry);
            if (old == null) {
                leaseCount--;
            }
        };
    }

    private Runnable removeLease(String network, int ip) {
        LeaseTable table = leases.get(network);
        LeaseEntry old = table == null ? null : table.remove(ip);
        if (old == null) {
            return () -> {};
        }
        leaseCount--;
        return () -> {
            table.restore(ip, old, null);
            leaseCount++;
            leases.putIfAbsent(network, table);
        };
    }

    private Runnable putMac(MacRecord record, String actor, boolean deriveHistory) {
        MacRecord old = macs.put(record.mac(), record);
        Runnable historyUndo = null;
        if (deriveHistory && (old == null || old.state() != record.state() || !Objects.equals(old.owner(), record.owner()))) {
            historyUndo = addHistory(StoredEvent.of(new HistoryEvent(record.updatedAt(), null, null, record.mac(),
                    record.owner(), macAction(record.state()), actor, null)));
        }
        Runnable h = historyUndo;
        return () -> {
            if (h != null) {
                h.run();
            }
            if (old == null) {
                macs.remove(record.mac());
            } else {
                macs.put(old.mac(), old);
            }
        };
    }

    static String macAction(MacState state) {
        return switch (state) {
            case ALLOCATED -> "mac-allocated";
            case QUARANTINED -> "mac-released";
            case RESERVED -> "mac-reserved";
            case OBSERVED -> "mac-observed";
        };
    }

    /**
     * Appends an event, dropping the oldest beyond the cap. The undo removes the event again; an
     * event dropped by the cap is not restored (it was the oldest of {@code historyMax}).
     */
    private Runnable addHistory(StoredEvent event) {
        return history.add(event);
    }

    /** Drops events older than {@code cutoff}; returns how many. */
    long pruneHistory(Instant cutoff) {
        return history.pruneBefore(cutoff);
    }

    LeaseTable table(String network) {
        return leases.get(network);
    }

    /** A consistent copy for a snapshot: cheap array copies sharing the immutable values. */
    Copy copy() {
        Map<String, IntObjectMap<LeaseEntry>> l = new HashMap<>();
        leases.forEach((name, table) -> l.put(name, table.copyEntries()));
        Map<String, Map<String, String>> d = new HashMap<>();
        documents.forEach((kind, docs) -> d.put(kind, new HashMap<>(docs)));
        return new Copy(l, new ArrayList<>(macs.values()), new ArrayList<>(networks.values()), d,
                historyCopy());
    }

    private List<StoredEvent> historyCopy() {
        List<StoredEvent> out = new ArrayList<>(history.size());
        history.oldestFirst().forEach(out::add);
        return out;
    }

    record Copy(Map<String, IntObjectMap<LeaseEntry>> leases, List<MacRecord> macs, List<NetworkSpec> networks,
                Map<String, Map<String, String>> documents, List<StoredEvent> history) {}
}
