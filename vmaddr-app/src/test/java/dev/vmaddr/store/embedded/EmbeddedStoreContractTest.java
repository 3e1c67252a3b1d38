package dev.vmaddr.store.embedded;

import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreContract;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreContractTest extends StoreContract {
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
