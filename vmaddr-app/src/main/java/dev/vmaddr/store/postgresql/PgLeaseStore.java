package dev.vmaddr.store.postgresql;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.ipam.HolderKey;
import dev.vmaddr.ipam.Lease;
import dev.vmaddr.store.LeaseStore;
import dev.vmaddr.store.WriteResult;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/** Leases: reads from {@link LeaseCache}, conditional writes through {@link LeaseCommitter}. */
final class PgLeaseStore implements LeaseStore {
    private final Db db;
    private final LeaseCache cache;
    private final LeaseCommitter committer;

    PgLeaseStore(Db db, LeaseCache cache, LeaseCommitter committer) {
        this.db = db;
        this.cache = cache;
        this.committer = committer;
    }

    @Override
    public WriteResult put(Lease lease, Instant now) {
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(now, "now");
        return committer.put(lease, now);
    }

    @Override
    public boolean remove(String network, Ipv4Address ip) {
        List<Removal> removed = db.transaction("lease remove", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM leases WHERE network = ? AND ip = ?::inet")) {
                ps.setString(1, network);
                ps.setString(2, ip.toString());
                ps.executeUpdate();
            }
            return Removal.ownRemovals(c);
        });
        removed.forEach(r -> cache.remove(r.network(), r.ip(), r.seq()));
        return !removed.isEmpty();
    }

    @Override
    public Optional<Lease> get(String network, Ipv4Address ip) {
        return cache.get(network, ip);
    }

    @Override
    public Optional<Lease> findByHolder(String network, HolderKey holder) {
        return cache.findByHolder(network, holder);
    }

    @Override
    public List<Lease> list(String network) {
        return cache.list(network);
    }

    @Override
    public void forEach(Consumer<Lease> action) {
        cache.forEach(action);
    }

    @Override
    public long count() {
        return cache.count();
    }
}
