package dev.vmaddr.store.postgresql;

import dev.vmaddr.store.LeasePageContract;
import dev.vmaddr.store.Store;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.time.Clock;
import org.junit.jupiter.api.extension.ExtendWith;

/** Lease pages on PostgreSQL (SQL over the primary key): a fresh database for every test, on the shared server. */
@ExtendWith(PostgresExtension.class)
class PostgresLeasePageContractTest extends LeasePageContract {
    private final PostgresDatabase shared;
    private String url;

    PostgresLeasePageContractTest(PostgresDatabase shared) {
        this.shared = shared;
    }

    @Override
    protected Store openStore() {
        url = shared.cluster().createDatabase("pages");
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
