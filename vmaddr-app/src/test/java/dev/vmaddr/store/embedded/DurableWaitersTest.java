package dev.vmaddr.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Callbacks run in registration order even in the window where the committer has published a new
 * durable sequence but not yet drained the queue (the cause of DeferredDurabilityTest's rare
 * out-of-order failure: a later writer whose mark was already durable ran its callback at once).
 */
class DurableWaitersTest {
    @Test
    void aDurableMarkDoesNotOvertakeAnEarlierQueuedWaiter() {
        AtomicLong durable = new AtomicLong(4);
        DurableWaiters waiters = new DurableWaiters(durable::get, () -> false);
        List<String> order = new ArrayList<>();

        waiters.whenDurable(5, ok -> order.add("first " + ok));
        assertThat(order).as("mark 5 is not durable yet").isEmpty();

        durable.set(6); // the committer's fsync covered both marks; it has not drained yet
        waiters.whenDurable(6, ok -> order.add("second " + ok));
        assertThat(order).containsExactly("first true", "second true");
        assertThat(waiters.isEmpty()).isTrue();
    }

    @Test
    void withNothingQueuedADurableMarkRunsAtOnce() {
        DurableWaiters waiters = new DurableWaiters(() -> 9, () -> false);
        List<Boolean> seen = new ArrayList<>();
        waiters.whenDurable(9, seen::add);
        assertThat(seen).containsExactly(true);
        assertThat(waiters.isEmpty()).isTrue();
    }

    @Test
    void afterAFailureQueuedWaitersLearnItInOrder() {
        AtomicBoolean givenUp = new AtomicBoolean();
        DurableWaiters waiters = new DurableWaiters(() -> 1, givenUp::get);
        List<String> order = new ArrayList<>();
        waiters.whenDurable(2, ok -> order.add("a " + ok));
        givenUp.set(true);
        waiters.whenDurable(1, ok -> order.add("b " + ok));
        assertThat(order).containsExactly("a false", "b true");
    }
}
