package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.MacState;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.NetworkSpecJson;
import dev.vmaddr.store.compact.LeaseEntry;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * Payload encoding of {@link Op}s: one kind byte, then fixed binary fields. The hot record (lease
 * put) is pure binary, ~40 bytes plus the network name, client-id and hostname; networks go as
 * JSON ({@link NetworkJson}) because they are rare and their shape grows.
 */
final class RecordCodec {
    static final int LEASE_PUT = 1;
    static final int LEASE_REMOVE = 2;
    static final int MAC_PUT = 3;
    static final int MAC_REMOVE = 4;
    static final int NETWORK_PUT = 5;
    static final int NETWORK_DELETE = 6;
    static final int DOCUMENT_PUT = 7;
    static final int DOCUMENT_DELETE = 8;
    static final int HISTORY = 9;
    static final int SNAPSHOT_END = 10;
    /** A history event with actor and detail; {@link #HISTORY} records (without them) still decode. */
    static final int HISTORY_V2 = 11;
    static final int HISTORY_PRUNE = 12;
    /** {@link #LEASE_PUT} and {@link #MAC_PUT} followed by the writer's actor ({@link #actor}); the old kinds still decode. */
    static final int LEASE_PUT_ACTOR = 13;
    static final int MAC_PUT_ACTOR = 14;

    /**
     * Actors by one-byte code: the fixed ones cost one byte and no string encoding per lease write
     * (the DHCP hot path); {@code api:<token name>} goes as a string after {@link #ACTOR_TEXT}.
     */
    private static final String[] ACTORS = {null, HistoryActor.DHCP, HistoryActor.CNI, HistoryActor.LIBVIRT,
            HistoryActor.IMPORT};
    private static final int ACTOR_TEXT = 0xFF;

    private static final MacState[] MAC_STATES = MacState.values();

    private RecordCodec() {}

    /**
     * Each writing thread's encoding buffer: a record is encoded here outside the log's lock and
     * copied into the open batch under it, so the buffer is free again when {@code appendIf} returns
     * (a buffer per record was most of the store's garbage per lease). 1 KiB holds any lease or MAC
     * record (hostname and client id are at most 255 bytes each), so it does not grow on the request
     * path (a first growth mid-run once deoptimized everything it was inlined into; the growth branch
     * is profiled once at start now, {@link Bytes#profileGrowth}, and a buffer that does not grow is not copied).
     */
    private static final ThreadLocal<Bytes> SCRATCH = ThreadLocal.withInitial(() -> new Bytes(1024));

    /** {@code op} encoded into the calling thread's buffer, valid until this thread encodes again. */
    static Bytes encoded(Op op) {
        Bytes payload = SCRATCH.get();
        payload.reset();
        encode(op, payload);
        return payload;
    }

    static void encode(Op op, Bytes out) {
        switch (op) {
            case Op.LeasePut p -> {
                out.u8(p.actor() == null ? LEASE_PUT : LEASE_PUT_ACTOR);
                out.str(p.network());
                LeaseEntry e = p.entry();
                out.i32(e.ip());
                out.i64(e.mac());
                out.u8(e.state());
                out.i64(e.expSec());
                out.i32(e.expNano());
                out.i64(e.updSec());
                out.i32(e.updNano());
                out.blob(e.extra());
                if (p.actor() != null) {
                    actor(p.actor(), out);
                }
            }
            case Op.LeaseRemove r -> {
                out.u8(LEASE_REMOVE);
                out.str(r.network());
                out.i32(r.ip());
            }
            case Op.MacPut m -> {
                out.u8(m.actor() == null ? MAC_PUT : MAC_PUT_ACTOR);
                MacRecord r = m.record();
                out.i64(r.mac().value());
                out.u8(r.state().ordinal());
                out.str(r.owner());
                instant(r.until(), out);
                instant(r.updatedAt(), out);
                if (m.actor() != null) {
                    actor(m.actor(), out);
                }
            }
            case Op.MacRemove m -> {
                out.u8(MAC_REMOVE);
                out.i64(m.mac());
            }
            case Op.NetworkPut n -> {
                out.u8(NETWORK_PUT);
                out.str(NetworkSpecJson.write(n.network()));
            }
            case Op.NetworkDelete n -> {
                out.u8(NETWORK_DELETE);
                out.str(n.name());
            }
            case Op.DocumentPut d -> {
                out.u8(DOCUMENT_PUT);
                out.str(d.kind());
                out.str(d.key());
                out.str(d.json());
            }
            case Op.DocumentDelete d -> {
                out.u8(DOCUMENT_DELETE);
                out.str(d.kind());
                out.str(d.key());
            }
            case Op.HistoryAppend h -> {
                HistoryEvent e = h.event();
                boolean v2 = e.actor() != null || e.detail() != null;
                out.u8(v2 ? HISTORY_V2 : HISTORY);
                instant(e.at(), out);
                out.str(e.network());
                out.u8(e.ip() == null ? 0 : 1);
                out.i32(e.ip() == null ? 0 : e.ip().value());
                out.i64(e.mac() == null ? -1 : e.mac().value());
                out.str(e.holder());
                out.str(e.action());
                if (v2) {
                    out.str(e.actor());
                    out.str(e.detail());
                }
            }
            case Op.HistoryPrune p -> {
                out.u8(HISTORY_PRUNE);
                instant(p.cutoff(), out);
            }
            case Op.SnapshotEnd s -> {
                out.u8(SNAPSHOT_END);
                out.i64(s.records());
            }
        }
    }

    /**
     * Decodes one payload.
     *
     * @param seq the record's sequence number, kept in lease entries
     * @throws IllegalArgumentException (or a buffer exception) when the payload is malformed
     */
    static Op decode(ByteBuffer in, long seq) {
        int kind = in.get() & 0xFF;
        Op op = switch (kind) {
            case LEASE_PUT, LEASE_PUT_ACTOR -> {
                String network = Bytes.str(in);
                int ip = in.getInt();
                long mac = in.getLong();
                byte state = in.get();
                if (state < 0 || state >= dev.vmaddr.model.LeaseState.values().length) {
                    throw new IllegalArgumentException("bad lease state " + state);
                }
                long expSec = in.getLong();
                int expNano = in.getInt();
                long updSec = in.getLong();
                int updNano = in.getInt();
                byte[] extra = Bytes.blob(in);
                String actor = kind == LEASE_PUT_ACTOR ? actor(in) : null;
                yield new Op.LeasePut(network, new LeaseEntry(ip, mac, state, expSec, expNano, updSec, updNano, extra, seq),
                        actor);
            }
            case LEASE_REMOVE -> new Op.LeaseRemove(Bytes.str(in), in.getInt());
            case MAC_PUT, MAC_PUT_ACTOR -> {
                MacAddress mac = new MacAddress(in.getLong());
                MacState state = MAC_STATES[in.get()];
                String owner = Bytes.str(in);
                Instant until = instant(in);
                Instant updated = instant(in);
                String actor = kind == MAC_PUT_ACTOR ? actor(in) : null;
                yield new Op.MacPut(new MacRecord(mac, state, owner, until, updated), actor);
            }
            case MAC_REMOVE -> new Op.MacRemove(in.getLong());
            case NETWORK_PUT -> new Op.NetworkPut(NetworkSpecJson.read(Bytes.str(in)));
            case NETWORK_DELETE -> new Op.NetworkDelete(Bytes.str(in));
            case DOCUMENT_PUT -> new Op.DocumentPut(Bytes.str(in), Bytes.str(in), Bytes.str(in));
            case DOCUMENT_DELETE -> new Op.DocumentDelete(Bytes.str(in), Bytes.str(in));
            case HISTORY, HISTORY_V2 -> {
                Instant at = instant(in);
                String network = Bytes.str(in);
                boolean hasIp = in.get() != 0;
                int ip = in.getInt();
                long mac = in.getLong();
                String holder = Bytes.str(in);
                String action = Bytes.str(in);
                String actor = kind == HISTORY_V2 ? Bytes.str(in) : null;
                String detail = kind == HISTORY_V2 ? Bytes.str(in) : null;
                yield new Op.HistoryAppend(new HistoryEvent(at, network, hasIp ? new Ipv4Address(ip) : null,
                        mac == -1 ? null : new MacAddress(mac), holder, action, actor, detail));
            }
            case HISTORY_PRUNE -> new Op.HistoryPrune(instant(in));
            case SNAPSHOT_END -> new Op.SnapshotEnd(in.getLong());
            default -> throw new IllegalArgumentException("unknown record kind " + kind);
        };
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(in.remaining() + " stray bytes after record kind " + kind);
        }
        return op;
    }

    private static void actor(String actor, Bytes out) {
        for (int code = 1; code < ACTORS.length; code++) {
            if (ACTORS[code].equals(actor)) {
                out.u8(code);
                return;
            }
        }
        out.u8(ACTOR_TEXT);
        out.str(actor);
    }

    private static String actor(ByteBuffer in) {
        int code = in.get() & 0xFF;
        if (code == ACTOR_TEXT) {
            String actor = Bytes.str(in);
            return actor == null ? null : actor.intern(); // a handful of token names, shared by their events
        }
        if (code == 0 || code >= ACTORS.length) {
            throw new IllegalArgumentException("bad actor code " + code);
        }
        return ACTORS[code];
    }

    private static void instant(Instant t, Bytes out) {
        if (t == null) {
            out.u8(0);
        } else {
            out.u8(1);
            out.i64(t.getEpochSecond());
            out.i32(t.getNano());
        }
    }

    private static Instant instant(ByteBuffer in) {
        if (in.get() == 0) {
            return null;
        }
        return Instant.ofEpochSecond(in.getLong(), in.getInt());
    }
}
