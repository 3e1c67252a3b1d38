package dev.vmaddr.store.embedded;

import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.compact.LeaseEntry;

/** One state change, as written to the log (and to snapshots) by {@link RecordCodec}. */
sealed interface Op {
    /** @param actor who wrote it (see {@code HistoryActor}), null when unknown; goes into the derived history event */
    record LeasePut(String network, LeaseEntry entry, String actor) implements Op {
        LeasePut(String network, LeaseEntry entry) {
            this(network, entry, null);
        }
    }

    record LeaseRemove(String network, int ip) implements Op {}

    /** @param actor as in {@link LeasePut} */
    record MacPut(MacRecord record, String actor) implements Op {
        MacPut(MacRecord record) {
            this(record, null);
        }
    }

    record MacRemove(long mac) implements Op {}

    record NetworkPut(NetworkSpec network) implements Op {}

    record NetworkDelete(String name) implements Op {}

    record DocumentPut(String kind, String key, String json) implements Op {}

    record DocumentDelete(String kind, String key) implements Op {}

    record HistoryAppend(HistoryEvent event) implements Op {}

    /** Retention: the events older than {@code cutoff} are gone (logged, so a restart does not bring them back). */
    record HistoryPrune(java.time.Instant cutoff) implements Op {}

    /** Last record of a snapshot: how many records precede it, so a cut-short snapshot is rejected. */
    record SnapshotEnd(long records) implements Op {}
}
