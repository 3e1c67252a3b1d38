package dev.vmaddr.store;

import dev.vmaddr.model.Lease;

/**
 * Outcome of a conditional lease write.
 *
 * @param applied true when the lease was written (and is durable)
 * @param current when not applied: the lease that holds the address and blocked the write
 */
public record WriteResult(boolean applied, Lease current) {
    public static final WriteResult APPLIED = new WriteResult(true, null);

    public static WriteResult conflict(Lease current) {
        return new WriteResult(false, current);
    }
}
