package dev.vmaddr.store.embedded;

import dev.vmaddr.store.HistoryCursor;
import dev.vmaddr.store.HistoryQuery;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The history in memory, oldest first, with a per-key index by IP, MAC and VM.
 *
 * <p>Why chains and not a list per key: a million events over a million addresses would be a million
 * lists (~100 bytes each). Instead every event links to the previous and next event of its IP, its
 * MAC and its VM (six references, 24 bytes with compressed pointers), and three maps hold the newest
 * event of each key. A query by key walks that key's chain only, so its cost is the key's events, not
 * the history's. Dropping the oldest event (cap, retention) unlinks it, so nothing pruned stays
 * reachable. Rebuilt by {@link StoreState} while snapshot and log replay at start (nothing extra is
 * persisted).
 *
 * <p>Not thread-safe: {@link StoreState} is used under {@link GroupCommitLog}'s lock.
 */
final class HistoryLog {
    private static final int IP = 0;
    private static final int MAC = 1;
    private static final int VM = 2;

    private ArrayDeque<StoredEvent> events = new ArrayDeque<>();
    private IntObjectMap<StoredEvent> newestByIp = new IntObjectMap<>(1024);
    private LongObjectMap<StoredEvent> newestByMac = new LongObjectMap<>(1024);
    private final Map<String, StoredEvent> newestByVm = new HashMap<>();
    private final int max;
    private long nextSeq;

    HistoryLog(int max) {
        this.max = max;
    }

    /**
     * Sizes an empty history for about {@code events} events (a snapshot's, counted before loading):
     * growing the per-IP and per-MAC maps from 1,024 to a million keys rehashed 2,000,000 entries,
     * most of the history's load time. The maps get room for half that many keys (a history of few
     * addresses wastes at most that; a history of one event per address grows once more).
     */
    void expect(int events) {
        if (!this.events.isEmpty() || events <= 2048) {
            return;
        }
        int n = Math.min(events, max);
        this.events = new ArrayDeque<>(n + 1);
        newestByIp = new IntObjectMap<>(n / 2);
        newestByMac = new LongObjectMap<>(n / 2);
    }

    int size() {
        return events.size();
    }

    Iterable<StoredEvent> oldestFirst() {
        return events;
    }

    /** Appends an event, dropping the oldest beyond the cap; returns the undo (removes exactly this event). */
    Runnable add(StoredEvent e) {
        e.seq = nextSeq++;
        events.addLast(e);
        if (e.hasIp) {
            link(e, IP, newestByIp.put(e.ip, e));
        }
        if (e.hasMac()) {
            link(e, MAC, newestByMac.put(e.mac, e));
        }
        String vm = e.vm();
        if (vm != null) {
            link(e, VM, newestByVm.put(vm, e));
        }
        if (events.size() > max) {
            unlink(events.removeFirst());
        }
        return () -> {
            if (events.removeLastOccurrence(e)) {
                unlink(e);
            }
        };
    }

    /** Drops the events older than {@code cutoff} from the oldest end; returns how many. */
    long pruneBefore(Instant cutoff) {
        long n = 0;
        while (!events.isEmpty() && events.peekFirst().before(cutoff)) {
            unlink(events.removeFirst());
            n++;
        }
        return n;
    }

    /**
     * Up to {@code q.limit() + 1} events matching {@code q}, newest first (the extra one says that
     * another page follows). With a key, only that key's chain is walked (the rarest key when several
     * are given); without, the whole history is. Either way a bounded heap keeps the newest.
     */
    List<StoredEvent> page(HistoryQuery q) {
        int want = q.limit() + 1;
        PriorityQueue<StoredEvent> newest = new PriorityQueue<>(Math.min(want, 1024) + 1,
                (a, b) -> StoredEvent.newestFirst(b, a)); // head = the oldest kept
        int chain = -1;
        StoredEvent start = null;
        if (q.ip() != null) {
            chain = IP;
            start = newestByIp.get(q.ip().value());
        } else if (q.mac() != null) {
            chain = MAC;
            start = newestByMac.get(q.mac().value());
        } else if (q.vm() != null) {
            chain = VM;
            start = newestByVm.get(q.vm());
        }
        if (chain >= 0) {
            for (StoredEvent e = start; e != null; e = e.prev(chain)) {
                offer(newest, e, q, want);
            }
        } else {
            for (Iterator<StoredEvent> it = events.descendingIterator(); it.hasNext(); ) {
                offer(newest, it.next(), q, want);
            }
        }
        List<StoredEvent> out = new ArrayList<>(newest);
        out.sort(StoredEvent::newestFirst);
        return out;
    }

    private static void offer(PriorityQueue<StoredEvent> newest, StoredEvent e, HistoryQuery q, int want) {
        if (!e.matches(q.ip(), q.mac(), null, q.since(), q.until())) {
            return;
        }
        if (q.vm() != null && !q.vm().equals(e.vm())) {
            return;
        }
        HistoryCursor after = q.after();
        if (after != null && !admits(after, e)) {
            return;
        }
        if (newest.size() < want) {
            newest.add(e);
        } else if (StoredEvent.newestFirst(e, newest.peek()) < 0) {
            newest.poll();
            newest.add(e);
        }
    }

    private static boolean admits(HistoryCursor c, StoredEvent e) {
        int cmp = e.compareAt(c.at());
        return cmp < 0 || cmp == 0 && e.seq < c.seq();
    }

    private static void link(StoredEvent e, int chain, StoredEvent previousNewest) {
        e.setPrev(chain, previousNewest);
        if (previousNewest != null) {
            previousNewest.setNext(chain, e);
        }
    }

    private void unlink(StoredEvent e) {
        if (e.hasIp) {
            unlink(e, IP);
            if (newestByIp.get(e.ip) == e) {
                if (e.prev(IP) == null) {
                    newestByIp.remove(e.ip);
                } else {
                    newestByIp.put(e.ip, e.prev(IP));
                }
            }
        }
        if (e.hasMac()) {
            unlink(e, MAC);
            if (newestByMac.get(e.mac) == e) {
                if (e.prev(MAC) == null) {
                    newestByMac.remove(e.mac);
                } else {
                    newestByMac.put(e.mac, e.prev(MAC));
                }
            }
        }
        String vm = e.vm();
        if (vm != null) {
            unlink(e, VM);
            if (newestByVm.get(vm) == e) {
                if (e.prev(VM) == null) {
                    newestByVm.remove(vm);
                } else {
                    newestByVm.put(vm, e.prev(VM));
                }
            }
        }
    }

    private static void unlink(StoredEvent e, int chain) {
        StoredEvent p = e.prev(chain);
        StoredEvent n = e.next(chain);
        if (p != null) {
            p.setNext(chain, n);
        }
        if (n != null) {
            n.setPrev(chain, p);
        }
        // The map fix-up reads e.prev, so it stays; e is unreachable from the chain either way.
        e.setNext(chain, null);
    }
}
