package dev.vmaddr.store.postgresql;

import dev.vmaddr.store.HistoryPageContract;
import dev.vmaddr.store.Store;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.time.Clock;
import org.junit.jupiter.api.extension.ExtendWith;

/** History pages on PostgreSQL (the V3 indexes): a fresh database for every test, on the shared server. */
@ExtendWith(PostgresExtension.class)
class PostgresHistoryPageContractTest extends HistoryPageContract {
    private final PostgresDatabase shared;
    private String url;

    PostgresHistoryPageContractTest(PostgresDatabase shared) {
        this.shared = shared;
    }

    @Override
    protected Store openStore() {
        url = shared.cluster().createDatabase("history");
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
