package dev.vmaddr.store.embedded;

import java.util.function.BooleanSupplier;

/**
 * What a conditional write checks: asked by {@link GroupCommitLog#appendIf} under the log's lock,
 * against the current state, just before the record would be appended, so that deciding and
 * writing are one atomic step.
 */
@FunctionalInterface
interface Precondition {
    /** Null lets the write go ahead; a refusal stops it and is handed back to the writer. */
    Refusal check();

    /** A write its precondition refused. */
    non-sealed interface Refusal extends GroupCommitLog.Ticket {
        /** The sequence number of the state the refusal was decided on; it is reported once that is durable. */
        long decidedOn();
    }

    record RefusedAt(long decidedOn) implements Refusal {}

    /**
     * A refusal with nothing to wait for: a removal that found nothing. Acting on an absence means
     * writing, and that write is ordered after whatever made the absence.
     */
    Refusal NOTHING_THERE = new RefusedAt(0);

    Precondition ALWAYS = () -> null;

    /** For removals: write only when {@code present} finds something to remove. */
    static Precondition onlyIf(BooleanSupplier present) {
        return () -> present.getAsBoolean() ? null : NOTHING_THERE;
    }
}
