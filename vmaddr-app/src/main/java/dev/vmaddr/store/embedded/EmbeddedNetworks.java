package dev.vmaddr.store.embedded;

import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.NetworkStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Network definitions. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedNetworks implements NetworkStore {
    private final GroupCommitLog log;
    private final StoreState state;

    EmbeddedNetworks(GroupCommitLog log, StoreState state) {
        this.log = log;
        this.state = state;
    }

    @Override
    public void put(NetworkSpec network) {
        Objects.requireNonNull(network, "network");
        log.await(log.appendIf(new Op.NetworkPut(network), Precondition.ALWAYS));
    }

    @Override
    public boolean delete(String name) {
        EmbeddedStore.require(name, "name");
        return log.await(log.appendIf(new Op.NetworkDelete(name),
                Precondition.onlyIf(() -> state.networks.containsKey(name) || state.table(name) != null)));
    }

    @Override
    public Optional<NetworkSpec> get(String name) {
        EmbeddedStore.require(name, "name");
        return log.read(() -> Optional.ofNullable(state.networks.get(name)));
    }

    @Override
    public List<NetworkSpec> list() {
        return log.read(() -> List.copyOf(state.networks.values()));
    }
}
