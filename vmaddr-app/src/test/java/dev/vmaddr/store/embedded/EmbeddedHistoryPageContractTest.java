package dev.vmaddr.store.embedded;

import dev.vmaddr.store.HistoryPageContract;
import dev.vmaddr.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** History pages on the embedded store; reopening rebuilds the per-key chains from snapshot and log. */
class EmbeddedHistoryPageContractTest extends HistoryPageContract {
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
