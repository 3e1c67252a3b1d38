package dev.vmaddr.store.postgresql;

import dev.vmaddr.store.DocumentStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** Documents in table {@code documents}, kept as the exact text the owner gave. */
final class PgDocumentStore implements DocumentStore {
    private final Db db;

    PgDocumentStore(Db db) {
        this.db = db;
    }

    @Override
    public void put(String kind, String key, String json) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(json, "json");
        db.transaction("document put", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO documents (kind, key, doc, updated_at) VALUES (?, ?, ?, now())
                    ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at""")) {
                ps.setString(1, kind);
                ps.setString(2, key);
                ps.setString(3, json);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean delete(String kind, String key) {
        return db.transaction("document delete", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM documents WHERE kind = ? AND key = ?")) {
                ps.setString(1, kind);
                ps.setString(2, key);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<String> get(String kind, String key) {
        return db.read("document get", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM documents WHERE kind = ? AND key = ?")) {
                ps.setString(1, kind);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, String> list(String kind) {
        return db.read("document list", c -> {
            Map<String, String> out = new LinkedHashMap<>();
            // COLLATE "C": ordered as Java orders strings, whatever the database's locale
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT key, doc FROM documents WHERE kind = ? ORDER BY key COLLATE \"C\"")) {
                ps.setString(1, kind);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            return out;
        });
    }
}
