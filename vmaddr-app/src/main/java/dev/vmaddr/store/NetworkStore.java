package dev.vmaddr.store;

import dev.vmaddr.model.NetworkSpec;
import java.util.List;
import java.util.Optional;

/** Network definitions, keyed by name. */
public interface NetworkStore {
    /** Creates or replaces the network of that name. Durable on return. */
    void put(NetworkSpec network);

    /** Removes the network and its leases. Durable on return. Returns false when there was none. */
    boolean delete(String name);

    Optional<NetworkSpec> get(String name);

    List<NetworkSpec> list();
}
