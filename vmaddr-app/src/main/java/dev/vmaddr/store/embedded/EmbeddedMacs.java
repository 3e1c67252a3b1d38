package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.MacStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** MACs: claims decided under the log's lock. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedMacs implements MacStore {
    private final GroupCommitLog log;
    private final StoreState state;

    EmbeddedMacs(GroupCommitLog log, StoreState state) {
        this.log = log;
        this.state = state;
    }

    @Override
    public boolean claim(MacRecord record, Instant now) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(now, "now");
        return log.await(log.appendIf(new Op.MacPut(record, HistoryActor.current()), () -> {
            MacRecord current = state.macs.get(record.mac());
            boolean mayClaim = current == null || !current.blocksAt(now)
                    || (record.owner() != null && record.owner().equals(current.owner()));
            return mayClaim ? null : log.refusal(); // refuse only on a durable record
        }));
    }

    @Override
    public void put(MacRecord record) {
        Objects.requireNonNull(record, "record");
        log.await(log.appendIf(new Op.MacPut(record, HistoryActor.current()), Precondition.ALWAYS));
    }

    @Override
    public boolean remove(MacAddress mac) {
        Objects.requireNonNull(mac, "mac");
        return log.await(log.appendIf(new Op.MacRemove(mac.value()),
                Precondition.onlyIf(() -> state.macs.containsKey(mac))));
    }

    @Override
    public Optional<MacRecord> get(MacAddress mac) {
        Objects.requireNonNull(mac, "mac");
        return log.read(() -> Optional.ofNullable(state.macs.get(mac)));
    }

    @Override
    public List<MacRecord> list() {
        List<MacRecord> out = log.read(() -> new ArrayList<>(state.macs.values()));
        out.sort(Comparator.comparing(MacRecord::mac));
        return out;
    }
}
