package dev.vmaddr.store.embedded;

import dev.vmaddr.model.MacRecord;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.HistoryEvent;

/** One state change, as written to the log (and to snapshots) by {@link RecordCodec}. */
sealed interface Op {
    record LeasePut(String network, LeaseEntry entry) implements Op {}

    record LeaseRemove(String network, int ip) implements Op {}

    record MacPut(MacRecord record) implements Op {}

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
