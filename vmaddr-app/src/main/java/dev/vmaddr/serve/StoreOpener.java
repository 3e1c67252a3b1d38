package dev.vmaddr.serve;

import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreException;
import dev.vmaddr.store.embedded.EmbeddedStore;
import dev.vmaddr.store.postgresql.PostgresStore;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;

/** Opens the store the config names. */
public final class StoreOpener {
    private StoreOpener() {}

    public static Store open(VmaddrConfig config, Clock clock) {
        return switch (config.store()) {
            case EMBEDDED -> EmbeddedStore.open(config.dataDir(), clock, EmbeddedStore.Options.defaults()
                    .withHistoryMaxEvents(config.history().maxEvents()).withHistoryRetention(config.history().keep()));
            case POSTGRESQL -> {
                VmaddrConfig.Postgresql pg = config.postgresql();
                PostgresStore.Options options = PostgresStore.Options.defaults();
                if (pg.pollInterval() != null) {
                    options = options.withPollInterval(pg.pollInterval());
                }
                yield PostgresStore.open(pg.url(), pg.user(), readPassword(pg), clock, options);
            }
        };
    }

    private static String readPassword(VmaddrConfig.Postgresql pg) {
        if (pg.passwordFile() == null) {
            return null;
        }
        try {
            return Files.readString(pg.passwordFile()).strip();
        } catch (IOException e) {
            throw new StoreException("cannot read postgresql.passwordFile " + pg.passwordFile() + ": " + e.getMessage(), e);
        }
    }
}
