package dev.vmaddr.store;

import java.util.Map;
import java.util.Optional;

/**
 * Small JSON documents by kind and key, for records whose owners serialize them (VMs with their
 * NICs, connectivity status). Durable on return of every write.
 */
public interface DocumentStore {
    void put(String kind, String key, String json);

    boolean delete(String kind, String key);

    Optional<String> get(String kind, String key);

    /** Every document of that kind, key → JSON, ordered by key. */
    Map<String, String> list(String kind);
}
