package dev.vmaddr.store.postgresql;

import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.NetworkSpecJson;
import dev.vmaddr.store.NetworkStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Network definitions in table {@code networks}, read from the database each time so a network
 * added through another server is seen at once. Deleting a network deletes its leases in the same
 * transaction and drops them from this server's lease cache.
 */
final class PgNetworkStore implements NetworkStore {
    private final Db db;
    private final LeaseCache cache;

    PgNetworkStore(Db db, LeaseCache cache) {
        this.db = db;
        this.cache = cache;
    }

    @Override
    public void put(NetworkSpec network) {
        Objects.requireNonNull(network, "network");
        String json = NetworkSpecJson.write(network);
        db.transaction("network put", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO networks (name, spec, updated_at) VALUES (?, ?::jsonb, now())
                    ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at""")) {
                ps.setString(1, network.name());
                ps.setString(2, json);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean delete(String name) {
        record Outcome(boolean deleted, List<Removal> removals) {}
        Outcome o = db.transaction("network delete", c -> {
            boolean deleted;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM networks WHERE name = ?")) {
                ps.setString(1, name);
                deleted = ps.executeUpdate() > 0;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM leases WHERE network = ?")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return new Outcome(deleted, Removal.ownRemovals(c));
        });
        o.removals().forEach(r -> cache.remove(r.network(), r.ip(), r.seq()));
        return o.deleted();
    }

    @Override
    public Optional<NetworkSpec> get(String name) {
        return db.read("network get", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT spec::text FROM networks WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(NetworkSpecJson.read(rs.getString(1))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<NetworkSpec> list() {
        return db.read("network list", c -> {
            List<NetworkSpec> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT spec::text FROM networks ORDER BY name COLLATE \"C\"");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(NetworkSpecJson.read(rs.getString(1)));
                }
            }
            return out;
        });
    }
}
