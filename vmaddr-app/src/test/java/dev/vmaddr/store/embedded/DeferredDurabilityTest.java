package dev.vmaddr.store.embedded;

import dev.vmaddr.model.Lease;
import dev.vmaddr.store.DeferredDurability;
import dev.vmaddr.store.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static dev.vmaddr.store.embedded.EmbeddedStoreTest.T0;
import static dev.vmaddr.store.embedded.EmbeddedStoreTest.lease;
import static org.assertj.core.api.Assertions.assertThat;

/** The DHCP receiver's contract with the store: apply now, learn later whether it became durable. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeferredDurabilityTest {
    @TempDir
    Path dir;

    /** A log whose fsync waits at {@code gate} (once {@code armed}), and fails when {@code broken}. */
    static LogFile.Opener gated(AtomicBoolean armed, CountDownLatch gate, AtomicBoolean broken) {
        return (path, appendAt) -> {
            return new ForwardingLogFile(LogFile.FILES.open(path, appendAt)) {
                @Override
                public void force() throws IOException {
                    if (armed.get()) {
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                    }
                    if (broken.get()) {
                        throw new IOException("Input/output error");
                    }
                    super.force();
                }
            };
        };
    }

    @Test
    void aDeferredWriteReturnsAtOnceAndItsCallbackWaitsForTheFsync() throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        CountDownLatch gate = new CountDownLatch(1);
        Lease l = lease(1, 1);
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(),
                EmbeddedStore.Options.defaults().withLogFiles(gated(armed, gate, new AtomicBoolean())))) {
            assertThat(s.defersDurability()).isTrue();
            DeferredDurability scope = new DeferredDurability();
            // Returns although the fsync is held at the gate: a blocking write would hang here.
            WriteResult result = scope.run(() -> s.leases().put(l, T0));
            assertThat(result.applied()).isTrue();
            assertThat(scope.pending()).isTrue();
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            scope.whenDurable(outcome::complete);
            Thread.sleep(100);
            assertThat(outcome).as("told durable before the fsync").isNotDone();
            gate.countDown();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isTrue();
        }
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            assertThat(s.leases().get("lan", l.ip())).contains(l);
        }
    }

    @Test
    void aDeferredWriteWhoseFsyncFailsIsReportedNotDurableAndIsGone() throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicBoolean broken = new AtomicBoolean(true);
        Lease l = lease(2, 2);
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(),
                EmbeddedStore.Options.defaults().withLogFiles(gated(armed, gate, broken)))) {
            DeferredDurability scope = new DeferredDurability();
            scope.run(() -> s.leases().put(l, T0));
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            scope.whenDurable(outcome::complete);
            gate.countDown();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(s.writable()).isFalse();
            // A scope started after the failure learns it at once, also for a read of rolled-back state.
            DeferredDurability late = new DeferredDurability();
            Optional<Lease> seen = late.run(() -> s.leases().get("lan", l.ip()));
            assertThat(seen).isEmpty();
            CompletableFuture<Boolean> lateOutcome = new CompletableFuture<>();
            late.whenDurable(lateOutcome::complete);
            assertThat(lateOutcome.get(10, TimeUnit.SECONDS)).isTrue();
        }
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            assertThat(s.leases().get("lan", l.ip())).isEmpty();
        }
    }

    @Test
    void aDeferredReadOfAnotherThreadsUndurableWriteWaitsForIt() throws Exception {
        AtomicBoolean armed = new AtomicBoolean(true);
        CountDownLatch gate = new CountDownLatch(1);
        Lease l = lease(3, 3);
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(),
                EmbeddedStore.Options.defaults().withLogFiles(gated(armed, gate, new AtomicBoolean())))) {
            Thread writer = Thread.ofPlatform().start(() -> s.leases().put(l, T0)); // blocks at the gate
            DeferredDurability scope;
            Optional<Lease> seen;
            do { // a deferred read does not wait, so this polls until the writer's record is applied
                Thread.sleep(5);
                scope = new DeferredDurability();
                seen = scope.run(() -> s.leases().get("lan", l.ip()));
            } while (seen.isEmpty());
            assertThat(seen).contains(l);
            assertThat(scope.pending()).as("what was read is not durable yet").isTrue();
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            scope.whenDurable(outcome::complete);
            assertThat(outcome).isNotDone();
            gate.countDown();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isTrue();
            writer.join();
        }
    }

    @Test
    void manyDeferredWritesFromOneThreadAreAllReportedDurableInOrder() throws Exception {
        List<Integer> order = new ArrayList<>();
        int n = 2_000;
        CountDownLatch all = new CountDownLatch(n);
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            for (int i = 0; i < n; i++) {
                int k = i;
                DeferredDurability scope = new DeferredDurability();
                scope.run(() -> s.leases().put(lease(10 + k, 10 + k), T0));
                scope.whenDurable(durable -> {
                    synchronized (order) {
                        order.add(durable ? k : -1);
                    }
                    all.countDown();
                });
            }
            assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
        try (EmbeddedStore s = EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults())) {
            assertThat(s.leases().count()).isEqualTo(n);
        }
    }
}
