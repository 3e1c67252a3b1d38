package dev.vmaddr.store.embedded;

import dev.vmaddr.store.LeasePageContract;
import dev.vmaddr.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** Lease pages on the embedded store; reopening recovers the ordered address sets from snapshot and log. */
class EmbeddedLeasePageContractTest extends LeasePageContract {
    @TempDir
    Path dir;

    @Override
    protected Store openStore() {
        return EmbeddedStore.open(dir, Clock.systemUTC(), EmbeddedStore.Options.defaults());
    }

    @Override
    protected Store reopen(Store store) {
        store.close();
        return openStore();
    }
}
