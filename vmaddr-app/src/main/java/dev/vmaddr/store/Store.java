package dev.vmaddr.store;

/**
 * The system of record: networks, leases, MACs, other documents (VMs) and the history of who held
 * what. Every write method returns only once the write is durable (fsync or database commit).
 * Implementations: {@code store.embedded} (append-only log, group commit, snapshots) and
 * {@code store.postgresql}. Both pass {@code StoreContract} in the tests.
 *
 * <p>Thread-safety: all methods may be called from any number of threads at once; concurrent
 * writers share commits (group commit) rather than queueing for one fsync each.
 */
public interface Store extends AutoCloseable {
    NetworkStore networks();

    LeaseStore leases();

    MacStore macs();

    DocumentStore documents();

    HistoryStore history();

    /**
     * DHCPv6 leases. By default documents of kind {@code lease6} (one server per store); a store that
     * several servers share overrides it with conditional writes.
     */
    default Lease6Store leases6() {
        return new DocumentLease6Store(documents());
    }

    /**
     * True when a write made inside a {@link DeferredDurability} scope returns without waiting and
     * reports its durability through that scope; false when such writes still block until durable.
     */
    default boolean defersDurability() {
        return false;
    }

    /** Reports every commit to {@code listener} from now on (replacing any before); stores without commits ignore it. */
    default void reportCommitsTo(CommitListener listener) {
    }

    /**
     * This server's number among the servers sharing the store, distinct for each one running at the
     * same time; -1 for a store that only this server uses. The allocation engine spreads the
     * servers' address choices by it, so that they seldom pick the same free address at once.
     */
    default int sharingServerNumber() {
        return -1;
    }

    /**
     * For a store several servers share: reads the other servers' writes now, rather than at the next
     * poll, so that what {@link #leases()} answers is current. Others ignore it.
     */
    default void refreshShared() {
    }

    /** True while writes can be made durable; false after an I/O failure (disk full, database gone). */
    boolean writable();

    /** Flushes what is pending, writes nothing more, releases files and connections. */
    @Override
    void close();
}
