package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.compact.LeaseEntry;
import java.time.Instant;

/**
 * A history event as kept in memory: ~56 bytes instead of the ~160 of a {@link HistoryEvent} with
 * its Instant, boxed addresses and holder string. Events derived from a MAC-held lease keep no
 * holder string at all ({@code mac:...} is rebuilt from the MAC). Identity equality on purpose:
 * an undo removes exactly the event it added.
 */
final class StoredEvent {
    private static final long NO_MAC = -1;

    final long atSec;
    final int atNano;
    final String network;
    final int ip;
    final boolean hasIp;
    final long mac;
    /** The holder, or null: then {@link #holderFromMac} says whether it is {@code mac:<mac>} or absent. */
    private final String holder;
    private final boolean holderFromMac;
    final String action;
    /** The writer's actor (interned: a handful of tokens and sources, shared by their events); null when unknown. */
    final String actor;
    final String detail;
    /** Order of apply, set by {@link HistoryLog} (the history cursor's tie-breaker). */
    long seq;
    /** {@link HistoryLog}'s chains (0 IP, 1 MAC, 2 VM): fields, not arrays, to save two array headers an event. */
    private StoredEvent prev0, prev1, prev2, next0, next1, next2;

    StoredEvent prev(int chain) {
        return switch (chain) {
            case 0 -> prev0;
            case 1 -> prev1;
            default -> prev2;
        };
    }

    StoredEvent next(int chain) {
        return switch (chain) {
            case 0 -> next0;
            case 1 -> next1;
            default -> next2;
        };
    }

    void setPrev(int chain, StoredEvent e) {
        switch (chain) {
            case 0 -> prev0 = e;
            case 1 -> prev1 = e;
            default -> prev2 = e;
        }
    }

    void setNext(int chain, StoredEvent e) {
        switch (chain) {
            case 0 -> next0 = e;
            case 1 -> next1 = e;
            default -> next2 = e;
        }
    }

    private StoredEvent(Instant at, String network, Ipv4Address ip, long mac, String holder, boolean holderFromMac, String action,
                        String actor, String detail) {
        this.atSec = at.getEpochSecond();
        this.atNano = at.getNano();
        this.network = canonical(network); // a handful of names, shared by every event
        this.ip = ip == null ? 0 : ip.value();
        this.hasIp = ip != null;
        this.mac = mac;
        this.holder = holder;
        this.holderFromMac = holderFromMac;
        this.action = canonical(action);
        this.actor = canonical(actor); // a handful of tokens and sources
        this.detail = detail;
    }

    /** Network names, actions and actors: a few dozen strings, each shared by the events that carry it. */
    private static final java.util.concurrent.ConcurrentHashMap<String, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The one shared copy of {@code s}: what {@link String#intern} did, at a hash lookup instead of a
     * call into the JVM's string table (three an event, 3,000,000 while loading a million events).
     */
    private static String canonical(String s) {
        if (s == null) {
            return null;
        }
        String shared = NAMES.get(s);
        if (shared != null) {
            return shared;
        }
        shared = NAMES.putIfAbsent(s, s);
        return shared == null ? s : shared;
    }

    static StoredEvent of(HistoryEvent e) {
        long mac = e.mac() == null ? NO_MAC : e.mac().value();
        boolean derived = e.mac() != null && e.holder() != null && isMacHolder(e.holder(), e.mac().value());
        return new StoredEvent(e.at(), e.network(), e.ip(), mac, derived ? null : e.holder(), derived, e.action(),
                e.actor(), e.detail());
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * {@code holder.equals("mac:" + new MacAddress(mac))} without building that string: a snapshot of a
     * million events asks it once an event while loading.
     */
    static boolean isMacHolder(String holder, long mac) {
        if (holder.length() != 21 || !holder.startsWith("mac:")) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            int octet = (int) (mac >>> (40 - 8 * i)) & 0xFF;
            int at = 4 + i * 3;
            if (holder.charAt(at) != HEX[octet >>> 4] || holder.charAt(at + 1) != HEX[octet & 0xF]
                    || i < 5 && holder.charAt(at + 2) != ':') {
                return false;
            }
        }
        return true;
    }

    /** The event of a lease write ({@code network} is the table's shared name). */
    static StoredEvent ofLease(Instant at, String network, LeaseEntry entry, String actor) {
        boolean byMac = !entry.isClientIdHolder();
        return new StoredEvent(at, network, new Ipv4Address(entry.ip()), entry.mac(), byMac ? null : entry.holderText(), byMac,
                entry.leaseState().wireName(), actor, null);
    }

    String holder() {
        return holderFromMac ? "mac:" + new MacAddress(mac) : holder;
    }

    boolean matches(Ipv4Address ip, MacAddress mac, String holderContains, Instant from, Instant to) {
        if (ip != null && !(hasIp && this.ip == ip.value())) {
            return false;
        }
        if (mac != null && this.mac != mac.value()) {
            return false;
        }
        if (from != null && compareAt(from) < 0) {
            return false;
        }
        if (to != null && compareAt(to) >= 0) {
            return false;
        }
        if (holderContains != null) {
            String h = holder();
            return h != null && h.contains(holderContains);
        }
        return true;
    }

    boolean hasMac() {
        return mac != NO_MAC;
    }

    /** The VM of a holder {@code vm/NAME/NIC} (derived lease events have none: their holder is mac: or id:). */
    String vm() {
        return holderFromMac ? null : HistoryEvent.vmOf(holder);
    }

    /** Newest first: events later in (at, seq) order sort before. */
    static int newestFirst(StoredEvent a, StoredEvent b) {
        int c = Long.compare(b.atSec, a.atSec);
        if (c == 0) {
            c = Integer.compare(b.atNano, a.atNano);
        }
        return c != 0 ? c : Long.compare(b.seq, a.seq);
    }

    Instant at() {
        return Instant.ofEpochSecond(atSec, atNano);
    }

    /** Sign of (this.at - t). */
    int compareAt(Instant t) {
        int c = Long.compare(atSec, t.getEpochSecond());
        return c != 0 ? c : Integer.compare(atNano, t.getNano());
    }

    boolean before(Instant t) {
        return compareAt(t) < 0;
    }

    HistoryEvent toEvent() {
        return new HistoryEvent(Instant.ofEpochSecond(atSec, atNano), network, hasIp ? new Ipv4Address(ip) : null,
                mac == NO_MAC ? null : new MacAddress(mac), holder(), action, actor, detail);
    }
}
