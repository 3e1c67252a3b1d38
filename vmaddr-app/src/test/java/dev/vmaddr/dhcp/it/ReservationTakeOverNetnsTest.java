package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.dhcp.it.DhcpLab.ApiAnswer;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Issue 15 item 7: a reservation for an address another client holds. A real ISC dhclient holds
 * the lease; the API refuses the reservation with 409 naming that client, unless the caller takes
 * the address over: then the holder's next renewal gets a NAK, dhclient starts over with DISCOVER
 * and gets another address, and the reserved client gets the address it was promised.
 */
@RequiresRoot
@Execution(ExecutionMode.CONCURRENT)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReservationTakeOverNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HOLDER = "02:18:00:00:07:0b";
    private static final String RESERVED = "02:18:00:00:07:0a";
    private static final String CONFIG = DhcpLab.lan0().times("30s", "4s", "25s").yaml();

    @Test
    void aClashIs409NamingTheHolderAndTakeOverMovesTheHolderOnAtItsRenewal(@TempDir Path dir) {
        try (DhcpLab lab = DhcpLab.create(dir, 1)) {
            lab.startServer(CONFIG);
            DhcpClient holder = lab.dhclient(lab.client("c1", 0, HOLDER));
            String held = holder.ip(holder.await("bound", WAIT));
            lab.awaitLeaseState("lan0", held, "bound", WAIT);

            String body = "{\"mac\":\"" + RESERVED + "\",\"ip\":\"" + held + "\"}";
            ApiAnswer clash = lab.api("POST", "/api/v1/networks/lan0/reservations", body);
            assertThat(clash.status()).as(clash.body()).isEqualTo(409);
            assertThat(clash.body()).contains(HOLDER).contains("takeOver");
            assertThat(lab.api("GET", "/api/v1/networks/lan0/reservations", null).body()).isEqualTo("[]");

            ApiAnswer taken = lab.api("POST", "/api/v1/networks/lan0/reservations",
                    body.replace("}", ",\"takeOver\":true}"));
            assertThat(taken.status()).as(taken.body()).isEqualTo(201);

            // At T1 dhclient renews, is refused, starts over and binds another address.
            Map<String, String> moved = holder.await(e -> e.get("event").equals("bound") && !held.equals(holder.ip(e)),
                    WAIT, "a bound event with an address other than " + held);
            String next = holder.ip(moved);
            assertThat(next).startsWith("198.18.0.1");
            assertThat(holder.process().stderr()).contains("DHCPNAK");
            assertThat(lab.server().stderrLines()).anyMatch(l -> l.contains("event=dhcp.nak") && l.contains("RESERVED_FOR_OTHER"));
            FirstLeaseNetnsTest.assertLease(lab, next, HOLDER, null);

            // The reserved client now gets the address.
            DhcpClient reserved = lab.dhclient(lab.client("c2", 0, RESERVED));
            assertThat(reserved.ip(reserved.await("bound", WAIT))).isEqualTo(held);
            FirstLeaseNetnsTest.assertLease(lab, held, RESERVED, null);
            holder.close();
            reserved.close();
        }
    }
}
