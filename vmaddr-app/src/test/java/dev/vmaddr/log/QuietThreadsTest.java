package dev.vmaddr.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Inside {@link QuietThreads#call}, and in threads started there, lines below WARN are dropped; elsewhere nothing is. */
class QuietThreadsTest {
    private final QuietThreads filter = new QuietThreads();
    private final LoggerContext context = new LoggerContext();

    private ILoggingEvent event(Level level) {
        return new LoggingEvent(QuietThreadsTest.class.getName(), context.getLogger("t"), level, "m", null, null);
    }

    @Test
    void dropsInfoAndDebugButNotWarningsInsideAndInThreadsStartedThere() throws Exception {
        AtomicReference<FilterReply> infoInChild = new AtomicReference<>();
        AtomicReference<FilterReply> errorInChild = new AtomicReference<>();
        FilterReply[] inside = QuietThreads.call(() -> {
            Thread child = Thread.ofPlatform().start(() -> {
                infoInChild.set(filter.decide(event(Level.INFO)));
                errorInChild.set(filter.decide(event(Level.ERROR)));
            });
            child.join();
            return new FilterReply[] {filter.decide(event(Level.DEBUG)), filter.decide(event(Level.INFO)),
                    filter.decide(event(Level.WARN))};
        });
        assertThat(inside).containsExactly(FilterReply.DENY, FilterReply.DENY, FilterReply.NEUTRAL);
        assertThat(infoInChild.get()).isEqualTo(FilterReply.DENY);
        assertThat(errorInChild.get()).isEqualTo(FilterReply.NEUTRAL);
    }

    @Test
    void outsideAndAfterwardsNothingIsDropped() throws Exception {
        assertThat(filter.decide(event(Level.INFO))).isEqualTo(FilterReply.NEUTRAL);
        QuietThreads.call(() -> null);
        assertThat(filter.decide(event(Level.DEBUG))).isEqualTo(FilterReply.NEUTRAL);
        AtomicReference<FilterReply> other = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> other.set(filter.decide(event(Level.INFO))));
        t.join();
        assertThat(other.get()).isEqualTo(FilterReply.NEUTRAL);
    }
}
