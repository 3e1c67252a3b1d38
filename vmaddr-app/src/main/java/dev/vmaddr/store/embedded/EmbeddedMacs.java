package dev.vmaddr.store.embedded;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.store.MacStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** MACs: claims decided under the store's write lock. See {@link EmbeddedStore} for the concurrency design. */
final class EmbeddedMacs implements MacStore {
    private final EmbeddedStore store;

    EmbeddedMacs(EmbeddedStore store) {
        this.store = store;
    }

    @Override
    public boolean claim(MacRecord record, Instant now) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(now, "now");
        Bytes payload = EmbeddedStore.encode(new Op.MacPut(record));
        EmbeddedStore.Batch batch = null;
        long seen;
        store.writeLock.lock();
        try {
            store.ensureWritable();
            MacRecord current = store.state.macs.get(record.mac());
            seen = store.appliedSeq;
            if (current == null || !current.blocksAt(now)
                    || (record.owner() != null && record.owner().equals(current.owner()))) {
                batch = store.appendLocked(payload, s -> new Op.MacPut(record));
            }
        } finally {
            store.writeLock.unlock();
        }
        if (batch == null) {
            store.awaitAcknowledged(seen); // refuse only on a durable record
            return false;
        }
        store.awaitAcknowledged(batch);
        return true;
    }

    @Override
    public void put(MacRecord record) {
        Objects.requireNonNull(record, "record");
        store.write(new Op.MacPut(record));
    }

    @Override
    public boolean remove(MacAddress mac) {
        Objects.requireNonNull(mac, "mac");
        return store.removeIfPresent(new Op.MacRemove(mac.value()), () -> store.state.macs.containsKey(mac));
    }

    @Override
    public Optional<MacRecord> get(MacAddress mac) {
        Objects.requireNonNull(mac, "mac");
        return store.read(() -> Optional.ofNullable(store.state.macs.get(mac)));
    }

    @Override
    public List<MacRecord> list() {
        List<MacRecord> out = store.read(() -> new ArrayList<>(store.state.macs.values()));
        out.sort(Comparator.comparing(MacRecord::mac));
        return out;
    }
}
