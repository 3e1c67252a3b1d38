package dev.vmaddr.store.postgresql;

import static dev.vmaddr.store.postgresql.Leases.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server starting on a database other servers filled reads every lease exactly as written: the
 * binary COPY at open ({@link LeaseCopy}) decoded into the cache's compact entries, for every state,
 * with and without client-id and hostname, non-ASCII hostnames, the longest client-id, times before
 * PostgreSQL's epoch (2000) and before 1970, and addresses at both ends of the space.
 */
@ExtendWith(PostgresExtension.class)
class PostgresLeaseLoadTest {
    private final PostgresDatabase db;

    PostgresLeaseLoadTest(PostgresDatabase db) {
        this.db = db;
    }

    private PostgresStore open() {
        return PostgresStore.open(db.url(), db.user(), db.password(), Clock.fixed(T0, ZoneOffset.UTC),
                PostgresStore.Options.defaults());
    }

    @Test
    void aServerOpeningTheDatabaseReadsEveryLeaseAsWritten() {
        String net = "load-copy";
        String otherNet = "load-copy-ßecond";
        Instant beforePgEpoch = Instant.parse("1999-12-31T23:59:59.999999Z");
        Instant before1970 = Instant.parse("1969-07-20T20:17:40.000001Z");
        String longId = "ff".repeat(255);
        List<Lease> written = new ArrayList<>();
        LeaseState[] states = LeaseState.values();
        for (int i = 0; i < 40; i++) {
            Ipv4Address ip = switch (i) {
                case 0 -> Ipv4Address.parse("0.0.0.1");
                case 1 -> Ipv4Address.parse("255.255.255.254");
                case 2 -> Ipv4Address.parse("128.0.0.0");
                default -> Ipv4Address.parse("198.18.0.0").plus(i);
            };
            ClientId clientId = i % 4 == 1 ? new ClientId(i == 5 ? longId : "01" + String.format("%012x", 0x525400000000L + i)) : null;
            String hostname = switch (i % 5) {
                case 0 -> null;
                case 1 -> "vm-" + i;
                case 2 -> "ünïcødé-høst-" + i + "-名前";
                case 3 -> "";
                default -> "h".repeat(200);
            };
            Instant expires = i == 3 ? beforePgEpoch : i == 4 ? before1970 : T0.plusSeconds(3600 + i).plusNanos(i * 1000L);
            Instant updated = i == 6 ? before1970 : T0.minusSeconds(i).plusNanos(999_999_000L - i * 1000L);
            written.add(new Lease(i % 3 == 0 ? otherNet : net, ip, new MacAddress(0x525400000000L + i), clientId, hostname,
                    states[i % states.length], expires, updated));
        }
        try (PostgresStore first = open()) {
            first.leases().putAll(written.subList(0, 20), T0);
            for (Lease l : written.subList(20, written.size())) {
                first.leases().put(l, T0); // through the committer as well
            }
            try (PostgresStore second = open()) {
                List<Lease> loaded = new ArrayList<>();
                second.leases().forEach(loaded::add);
                assertThat(loaded).containsExactlyInAnyOrderElementsOf(written);
                assertThat(second.leases().count()).isEqualTo(written.size());
                for (Lease l : written) {
                    assertThat(second.leases().get(l.network(), l.ip())).contains(l);
                    assertThat(second.leases().findByHolder(l.network(), l.holder())).contains(l);
                    assertThat(first.leases().get(l.network(), l.ip())).contains(l);
                }
                List<String> inOther = new ArrayList<>();
                second.leases().forEachOccupancyIn(otherNet, (ip, mac, hasClientId, state, expSecond, expNano) ->
                        inOther.add(ip + "/" + mac + "/" + hasClientId + "/" + state + "/" + Instant.ofEpochSecond(expSecond, expNano)));
                assertThat(inOther).containsExactlyInAnyOrderElementsOf(written.stream().filter(l -> l.network().equals(otherNet))
                        .map(l -> l.ip().value() + "/" + l.mac().value() + "/" + (l.clientId() != null) + "/" + l.state()
                                + "/" + l.expiresAt()).toList());
            }
        }
    }
}
