package dev.vmaddr.store.postgresql;

import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreContract;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.time.Clock;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store contract on PostgreSQL: a fresh database for every test, on the shared throw-away server. */
@ExtendWith(PostgresExtension.class)
class PostgresStoreContractTest extends StoreContract {
    private final PostgresDatabase shared;
    private String url;

    PostgresStoreContractTest(PostgresDatabase shared) {
        this.shared = shared;
    }

    @Override
    protected Store openStore() {
        url = shared.cluster().createDatabase("contract");
        return open();
    }

    @Override
    protected Store reopen(Store store) {
        store.close();
        return open();
    }

    private Store open() {
        return PostgresStore.open(url, shared.user(), shared.password(), Clock.systemUTC(),
                PostgresStore.Options.defaults());
    }
}
