package dev.vmaddr.store;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the store contracts share: a back end's test provides a fresh, empty store
 * ({@link #openStore()}) and a way to close and open the same data again ({@link #reopen(Store)});
 * each test gets its own store, closed afterwards.
 */
public abstract class StoreFixture {
    /** A new store over empty data. */
    protected abstract Store openStore();

    /** Closes {@code store} and opens the same data again. */
    protected abstract Store reopen(Store store);

    protected static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    protected static final String NET = "lan";

    protected Store store;

    @BeforeEach
    void openFreshStore() {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static Ipv4Address ip(String s) {
        return Ipv4Address.parse(s);
    }

    protected static MacAddress mac(int n) {
        return new MacAddress(0x525400000000L + n);
    }

    protected static Lease bound(String network, String ip, int macN, Instant expires) {
        return new Lease(network, ip(ip), mac(macN), null, null, LeaseState.BOUND, expires, T0);
    }
}
