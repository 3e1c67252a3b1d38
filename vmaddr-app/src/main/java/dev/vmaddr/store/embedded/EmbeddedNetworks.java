package dev.vmaddr.store.embedded;

import dev.vmaddr.ipam.NetworkSpec;
import dev.vmaddr.store.NetworkStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Network definitions. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedNetworks implements NetworkStore {
    private final EmbeddedStore store;

    EmbeddedNetworks(EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public void put(NetworkSpec network) {
        Objects.requireNonNull(network, "network");
        store.write(new Op.NetworkPut(network));
    }

    @Override
    public boolean delete(String name) {
        EmbeddedStore.require(name, "name");
        Op op = new Op.NetworkDelete(name);
        Bytes payload = EmbeddedStore.encode(op);
        EmbeddedStore.Batch batch;
        store.writeLock.lock();
        try {
            store.ensureWritable();
            if (!store.state.networks.containsKey(name) && store.state.table(name) == null) {
                return false;
            }
            batch = store.appendLocked(payload, s -> op);
        } finally {
            store.writeLock.unlock();
        }
        store.awaitAcknowledged(batch);
        return true;
    }

    @Override
    public Optional<NetworkSpec> get(String name) {
        EmbeddedStore.require(name, "name");
        return store.read(() -> Optional.ofNullable(store.state.networks.get(name)));
    }

    @Override
    public List<NetworkSpec> list() {
        return store.read(() -> List.copyOf(store.state.networks.values()));
    }
}
