package dev.vmaddr.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code history.keep}: drops the events older than {@code keep} before now, where now comes from the
 * injected clock (tests move it instead of waiting). The server runs it on a timer; the embedded store
 * also applies the same retention when it recovers, so pruned events stay gone across restarts.
 */
public final class HistoryRetention {
    /** How often the server prunes: retention is in days, an hour late costs nothing. */
    public static final Duration EVERY = Duration.ofHours(1);

    private final HistoryStore history;
    private final Duration keep;
    private final Clock clock;

    public HistoryRetention(HistoryStore history, Duration keep, Clock clock) {
        this.history = Objects.requireNonNull(history, "history");
        this.keep = Objects.requireNonNull(keep, "keep");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Prunes now; returns how many events went. */
    public long pruneNow() {
        return history.prune(clock.instant().minus(keep));
    }
}
