package dev.vmaddr.serve.multi;

import static dev.vmaddr.serve.multi.TwoServersPostgresApiTest.NETWORK;
import static dev.vmaddr.serve.multi.TwoServersPostgresApiTest.duplicatesInSql;
import static dev.vmaddr.serve.multi.TwoServersPostgresApiTest.invert;
import static dev.vmaddr.serve.multi.TwoServersPostgresApiTest.leasesInSql;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Two real {@code vmaddr serve} processes on one database: one client, one address, whichever server it asks. */
@ExtendWith(PostgresExtension.class)
class TwoServersPostgresHolderTest {
    private static final int POOL = 40;
    private static final Duration START = Duration.ofSeconds(120);

    /**
     * Issue 8: a client allocated through A re-allocates through B before B has read A's write (B polls
     * once an hour here, so it never has). B must answer with the client's address from A, not bind a
     * second one: the database refuses the second bound lease and names the first.
     */
    @Test
    void reallocatingOnTheOtherServerBeforeItPolledKeepsOneAddress(PostgresDatabase db, @TempDir Path dir)
            throws Exception {
        ServerFiles files = new ServerFiles(dir, db);
        try (VmaddrProcess a = VmaddrProcess.start(files.config("a", db.url(), db.user(), "127.0.0.1:0", NETWORK),
                files.log("a"), List.of(), START);
             VmaddrProcess b = VmaddrProcess.start(files.config("b", db.url(), db.user(), "127.0.0.1:0", NETWORK, "1h"),
                     files.log("b"), List.of(), START)) {
            Api apiA = Api.of(a.apiUrl(), files.token());
            Api apiB = Api.of(b.apiUrl(), files.token());
            Map<String, String> macToIp = new HashMap<>();
            for (int i = 0; i < 8; i++) {
                String mac = String.format("02:18:00:08:00:%02x", i);
                Api.Answer onA = apiA.allocate("shared", mac);
                assertThat(onA.status()).as(onA.text()).isEqualTo(201);
                String ip = onA.body().path("ip").asText();
                Api.Answer onB = apiB.allocate("shared", mac);
                assertThat(onB.status()).as(onB.text()).isEqualTo(201);
                assertThat(onB.body().path("ip").asText()).as("address of %s through B", mac).isEqualTo(ip);
                macToIp.put(mac, ip);
            }
            assertThat(duplicatesInSql(db)).isZero();
            assertThat(leasesInSql(db)).isEqualTo(invert(macToIp));
            // B has not leaked the addresses it first tried: the rest of the pool is still there for new clients
            for (int i = 0; i < POOL - 8; i++) {
                Api.Answer fresh = apiB.allocate("shared", String.format("02:18:00:09:00:%02x", i));
                assertThat(fresh.status()).as("client %d of the rest of the pool: %s", i, fresh.text()).isEqualTo(201);
            }
            assertThat(duplicatesInSql(db)).isZero();
        }
    }

}
