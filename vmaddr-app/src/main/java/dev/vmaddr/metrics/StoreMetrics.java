package dev.vmaddr.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** What a store reports per commit (group commit: one fsync for a batch of writes). */
public final class StoreMetrics {
    private final Timer commit;
    private final DistributionSummary batch;

    StoreMetrics(MeterRegistry registry) {
        this.commit = Timer.builder("vmaddr_store_commit").description("store commit (fsync or transaction) latency")
                .publishPercentileHistogram().register(registry);
        this.batch = DistributionSummary.builder("vmaddr_store_commit_batch").description("writes per store commit")
                .register(registry);
    }

    public void commit(long nanos, int writes) {
        commit.record(nanos, TimeUnit.NANOSECONDS);
        batch.record(writes);
    }
}
