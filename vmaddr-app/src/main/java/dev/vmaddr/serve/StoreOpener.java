package dev.vmaddr.serve;

import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.store.Store;
import dev.vmaddr.store.embedded.EmbeddedStore;
import java.time.Clock;

/** Opens the store the config names. */
public final class StoreOpener {
    private StoreOpener() {}

    /** @throws UnavailableException when that kind of store is not part of this build yet */
    public static Store open(VmaddrConfig config, Clock clock) {
        return switch (config.store()) {
            case EMBEDDED -> EmbeddedStore.open(config.dataDir(), clock, EmbeddedStore.Options.defaults());
            case POSTGRESQL -> throw new UnavailableException(
                    "store: postgresql is not available in this build yet (the PostgreSQL store lands with the pg branch); use store: embedded");
        };
    }

    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }
}
