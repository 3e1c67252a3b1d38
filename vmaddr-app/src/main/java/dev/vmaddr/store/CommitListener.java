package dev.vmaddr.store;

/**
 * Told about every commit a store makes: one fsync (embedded) or one lease-batch statement
 * (PostgreSQL). Called on the store's commit thread, so it must be quick (a metrics update).
 */
@FunctionalInterface
public interface CommitListener {
    CommitListener NONE = (nanos, writes) -> { };

    /** @param nanos how long the commit took; @param writes records it made durable */
    void committed(long nanos, int writes);
}
