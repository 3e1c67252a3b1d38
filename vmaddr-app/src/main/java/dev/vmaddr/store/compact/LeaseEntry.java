package dev.vmaddr.store.compact;

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
 * copy the table's arrays and read the entries later without locking, and PostgreSQL's lease cache
 * can publish entries to readers that take no lock. Shared by the embedded store and PostgreSQL's
 * lease cache, which build a {@link Lease} only when one is read ({@link #toLease}).
 *
 * @param extra null when there is neither client-id nor hostname, else
 *              {@code [client-id length (0 = none)][client-id][hostname flag][hostname UTF-8]}
 * @param seq   the change number of the write that produced this entry: the embedded log's sequence
 *              number (readers wait until it is durable), PostgreSQL's column {@code seq}
 */
public record LeaseEntry(int ip, long mac, byte state, long expSec, int expNano, long updSec, int updNano,
                         byte[] extra, long seq) {
    private static final LeaseState[] STATES = LeaseState.values();
    /** Marks "hostname present" in the flag byte that follows the client-id in {@link #extra}. */
    private static final byte HOST_ABSENT = 0;
    private static final byte HOST_PRESENT = 1;

    public static LeaseEntry of(Lease lease, long seq) {
        return new LeaseEntry(lease.ip().value(), lease.mac().value(), (byte) lease.state().ordinal(),
                lease.expiresAt().getEpochSecond(), lease.expiresAt().getNano(),
                lease.updatedAt().getEpochSecond(), lease.updatedAt().getNano(),
                extra(lease.clientId() == null ? null : lease.clientId().toBytes(), lease.hostname()), seq);
    }

    /** Packs client-id and hostname into one array (null when both are absent). */
    public static byte[] extra(byte[] clientId, String hostname) {
        byte[] host = hostname == null ? null : hostname.getBytes(StandardCharsets.UTF_8);
        return extra(clientId, host, 0, host == null ? 0 : host.length);
    }

    /**
     * Packs client-id and the hostname's UTF-8 bytes {@code host[off, off + len)} (absent when
     * {@code host} is null) into one array, null when both are absent: a row decoded from the wire
     * needs no String on the way.
     */
    public static byte[] extra(byte[] clientId, byte[] host, int off, int len) {
        if (clientId == null && host == null) {
            return null;
        }
        int hostLen = host == null ? 0 : len;
        int cidLen = clientId == null ? 0 : clientId.length;
        byte[] out = new byte[2 + cidLen + hostLen];
        out[0] = (byte) cidLen;
        if (cidLen > 0) {
            System.arraycopy(clientId, 0, out, 1, cidLen);
        }
        out[1 + cidLen] = host == null ? HOST_ABSENT : HOST_PRESENT;
        if (hostLen > 0) {
            System.arraycopy(host, off, out, 2 + cidLen, hostLen);
        }
        return out;
    }

    public LeaseEntry withSeq(long newSeq) {
        return new LeaseEntry(ip, mac, state, expSec, expNano, updSec, updNano, extra, newSeq);
    }

    public LeaseState leaseState() {
        return STATES[state];
    }

    /** Client-id bytes or null. */
    public byte[] clientIdBytes() {
        if (extra == null || extra[0] == 0) {
            return null;
        }
        return Arrays.copyOfRange(extra, 1, 1 + (extra[0] & 0xFF));
    }

    public String hostname() {
        if (extra == null) {
            return null;
        }
        int cidLen = extra[0] & 0xFF;
        if (extra[1 + cidLen] == HOST_ABSENT) {
            return null;
        }
        return new String(extra, 2 + cidLen, extra.length - 2 - cidLen, StandardCharsets.UTF_8);
    }

    public boolean hasClientId() {
        return extra != null && extra[0] != 0;
    }

    /** Whether this entry's holder is {@code holder} (client-id if any, else MAC). */
    public boolean heldBy(HolderKey holder) {
        if (holder.clientId() != null) {
            return hasClientId() && Arrays.equals(clientIdBytes(), holder.clientId().toBytes());
        }
        return !hasClientId() && mac == holder.mac().value();
    }

    public boolean sameHolder(LeaseEntry o) {
        if (hasClientId() != o.hasClientId()) {
            return false;
        }
        return hasClientId() ? Arrays.equals(clientIdBytes(), o.clientIdBytes()) : mac == o.mac;
    }

    /** Key of the holder in the table's holder index: the MAC, or a 64-bit hash of the client-id. */
    public long holderKey() {
        return hasClientId() ? clientIdHash(extra, 1, extra[0] & 0xFF) : mac;
    }

    public static long holderKey(HolderKey holder) {
        if (holder.clientId() != null) {
            byte[] b = holder.clientId().toBytes();
            return clientIdHash(b, 0, b.length);
        }
        return holder.mac().value();
    }

    public boolean isClientIdHolder() {
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

    public boolean occupiesAt(Instant now) {
        if (!leaseState().occupies()) {
            return false;
        }
        return expSec > now.getEpochSecond() || (expSec == now.getEpochSecond() && expNano > now.getNano());
    }

    public Instant updatedAt() {
        return Instant.ofEpochSecond(updSec, updNano);
    }

    public Lease toLease(String network) {
        byte[] cid = clientIdBytes();
        return new Lease(network, new Ipv4Address(ip), new MacAddress(mac), cid == null ? null : ClientId.of(cid, 0, cid.length),
                hostname(), leaseState(), Instant.ofEpochSecond(expSec, expNano), Instant.ofEpochSecond(updSec, updNano));
    }

    public String holderText() {
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
