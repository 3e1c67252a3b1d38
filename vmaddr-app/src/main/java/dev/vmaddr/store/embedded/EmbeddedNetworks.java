package dev.vmaddr.store.embedded;

import dev.vmaddr.model.NetworkSpec;
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
        return store.removeIfPresent(new Op.NetworkDelete(name),
                () -> store.state.networks.containsKey(name) || store.state.table(name) != null);
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
