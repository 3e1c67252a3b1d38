package dev.vmaddr.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.Callable;

/**
 * Keeps the routine log lines of work the server does for itself out of the operator's log: events
 * below WARN logged by a thread inside {@link #call} — and by every thread it starts meanwhile (an
 * inheritable thread-local) — are dropped. The DHCP warm-up runs a private DHCP server, store and
 * engine whose 100,000 lease lines at INFO would bury the server's own; their warnings still show.
 *
 * <p>Configured on the appender in logback.xml, so it runs only for events that passed the level
 * check (a debug line on the packet path costs it nothing), on the logging thread.
 */
public final class QuietThreads extends Filter<ILoggingEvent> {
    private static final InheritableThreadLocal<Boolean> QUIET = new InheritableThreadLocal<>();

    /** Runs {@code work} on this thread with its info and debug lines, and those of threads it starts, dropped. */
    public static <T> T call(Callable<T> work) throws Exception {
        Boolean before = QUIET.get();
        QUIET.set(Boolean.TRUE);
        try {
            return work.call();
        } finally {
            QUIET.set(before);
        }
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return QUIET.get() == Boolean.TRUE && !event.getLevel().isGreaterOrEqual(Level.WARN) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
