package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The in-memory form of one lease, about 64 bytes plus the optional client-id/hostname bytes,
 * instead of the ~250 bytes of a {@link Lease} with its Instants, strings and boxed addresses: a
 * million leases must fit in a small heap. Immutable: a write replaces the entry, so a snapshot can
 * copy the table's arrays and read the entries later without locking.
 *
 * @param extra null when there is neither client-id nor hostname, else
 *              {@code [client-id length (0 = none)][client-id][hostname flag][hostname UTF-8]}
 * @param seq   log sequence number of the write that produced this entry (readers wait until it is
 *              durable)
 */
record LeaseEntry(int ip, long mac, byte state, long expSec, int expNano, long updSec, int updNano,
                  byte[] extra, long seq) {
    private static final LeaseState[] STATES = LeaseState.values();
    /** Marks "hostname present" in the flag byte that follows the client-id in {@link #extra}. */
    private static final byte HOST_ABSENT = 0;
    private static final byte HOST_PRESENT = 1;

    static LeaseEntry of(Lease lease, long seq) {
        return new LeaseEntry(lease.ip().value(), lease.mac().value(), (byte) lease.state().ordinal(),
                lease.expiresAt().getEpochSecond(), lease.expiresAt().getNano(),
                lease.updatedAt().getEpochSecond(), lease.updatedAt().getNano(),
                extra(lease.clientId() == null ? null : lease.clientId().toBytes(), lease.hostname()), seq);
    }

    /** Packs client-id and hostname into one array (null when both are absent). */
    static byte[] extra(byte[] clientId, String hostname) {
        if (clientId == null && hostname == null) {
            return null;
        }
        byte[] host = hostname == null ? new byte[0] : hostname.getBytes(StandardCharsets.UTF_8);
        int cidLen = clientId == null ? 0 : clientId.length;
        byte[] out = new byte[2 + cidLen + host.length];
        out[0] = (byte) cidLen;
        if (cidLen > 0) {
            System.arraycopy(clientId, 0, out, 1, cidLen);
        }
        out[1 + cidLen] = hostname == null ? HOST_ABSENT : HOST_PRESENT;
        System.arraycopy(host, 0, out, 2 + cidLen, host.length);
        return out;
    }

    LeaseEntry withSeq(long newSeq) {
        return new LeaseEntry(ip, mac, state, expSec, expNano, updSec, updNano, extra, newSeq);
    }

    LeaseState leaseState() {
        return STATES[state];
    }

    /** Client-id bytes or null. */
    byte[] clientIdBytes() {
        if (extra == null || extra[0] == 0) {
            return null;
        }
        return Arrays.copyOfRange(extra, 1, 1 + (extra[0] & 0xFF));
    }

    String hostname() {
        if (extra == null) {
            return null;
        }
        int cidLen = extra[0] & 0xFF;
        if (extra[1 + cidLen] == HOST_ABSENT) {
            return null;
        }
        return new String(extra, 2 + cidLen, extra.length - 2 - cidLen, StandardCharsets.UTF_8);
    }

    boolean hasClientId() {
        return extra != null && extra[0] != 0;
    }

    /** Whether this entry's holder is {@code holder} (client-id if any, else MAC). */
    boolean heldBy(HolderKey holder) {
        if (holder.clientId() != null) {
            return hasClientId() && Arrays.equals(clientIdBytes(), holder.clientId().toBytes());
        }
        return !hasClientId() && mac == holder.mac().value();
    }

    boolean sameHolder(LeaseEntry o) {
        if (hasClientId() != o.hasClientId()) {
            return false;
        }
        return hasClientId() ? Arrays.equals(clientIdBytes(), o.clientIdBytes()) : mac == o.mac;
    }

    /** Key of the holder in the table's holder index: the MAC, or a 64-bit hash of the client-id. */
    long holderKey() {
        return hasClientId() ? clientIdHash(extra, 1, extra[0] & 0xFF) : mac;
    }

    static long holderKey(HolderKey holder) {
        if (holder.clientId() != null) {
            byte[] b = holder.clientId().toBytes();
            return clientIdHash(b, 0, b.length);
        }
        return holder.mac().value();
    }

    boolean isClientIdHolder() {
        return hasClientId();
    }

    /** FNV-1a 64; collisions are resolved by {@link #heldBy} checks in the table. */
    private static long clientIdHash(byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L;
        for (int i = off; i < off + len; i++) {
            h ^= b[i] & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    boolean occupiesAt(Instant now) {
        if (!leaseState().occupies()) {
            return false;
        }
        return expSec > now.getEpochSecond() || (expSec == now.getEpochSecond() && expNano > now.getNano());
    }

    Instant updatedAt() {
        return Instant.ofEpochSecond(updSec, updNano);
    }

    Lease toLease(String network) {
        byte[] cid = clientIdBytes();
        return new Lease(network, new Ipv4Address(ip), new MacAddress(mac), cid == null ? null : ClientId.of(cid, 0, cid.length),
                hostname(), leaseState(), Instant.ofEpochSecond(expSec, expNano), Instant.ofEpochSecond(updSec, updNano));
    }

    String holderText() {
        byte[] cid = clientIdBytes();
        return cid != null ? "id:" + ClientId.of(cid, 0, cid.length) : "mac:" + new MacAddress(mac);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LeaseEntry e && ip == e.ip && mac == e.mac && state == e.state && expSec == e.expSec
                && expNano == e.expNano && updSec == e.updSec && updNano == e.updNano && Arrays.equals(extra, e.extra);
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(ip) * 31 + Long.hashCode(mac);
    }
}
