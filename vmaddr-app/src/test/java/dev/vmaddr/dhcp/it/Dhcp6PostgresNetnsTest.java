package dev.vmaddr.dhcp.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.testing.Forwarder;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsProcess;
import dev.vmaddr.testing.netns.RequiresRoot;
import dev.vmaddr.testing.postgres.PostgresCluster;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 on {@code store: postgresql}: ISC {@code dhclient -6} clients get DHCPv6 addresses from a
 * server whose store is a real PostgreSQL; the bindings are rows of table {@code lease6} (one per
 * address, the client's DUID), and after {@code kill -9} and a restart the server knows them from
 * the database and renews the same address. PostgreSQL runs in the root namespace; the server
 * reaches its Unix socket through {@link Forwarder} as in {@code TwoServersPostgresDhcpNetnsTest}.
 */
@RequiresRoot
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class Dhcp6PostgresNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(40);

    @Test
    void dhclientBindingsAreLease6RowsAndSurviveAServerKill(@TempDir Path dir) throws Exception {
        try (PostgresCluster cluster = PostgresCluster.create(); DhcpLab lab = DhcpLab.create(dir, 1)) {
            String dbUrl = cluster.createDatabase("dhcp6");
            PostgresDatabase db = new PostgresDatabase(cluster, dbUrl, cluster.user(), cluster.password());
            Path password = Files.writeString(dir.resolve("pg-password"), cluster.password());
            NetnsProcess fwd = lab.serverNs().startJava(Forwarder.class,
                    Forwarder.tcpToUnixArgs("127.0.0.1", 5432, cluster.socketFile()));
            fwd.awaitLine("READY"::equals, Duration.ofSeconds(60));
            lab.startServer("""
                    store: postgresql
                    postgresql:
                      url: jdbc:postgresql://127.0.0.1:5432/%s
                      user: %s
                      passwordFile: %s
                    """.formatted(dbUrl.substring(dbUrl.lastIndexOf('/') + 1), cluster.user(), password)
                    + Dhcp6NetnsTest.CONFIG);
            Dhcp6Clients v6 = new Dhcp6Clients(lab);
            Map<String, String> duidByIp = new HashMap<>();
            List<DhcpClient> clients = new java.util.ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                Netns c = lab.client("c" + i, 0, "02:18:00:00:08:0" + i);
                clients.add(v6.dhclient(c, "LL"));
            }
            for (int i = 0; i < clients.size(); i++) {
                String ip = clients.get(i).await("bound6", WAIT).get("new_ip6_address");
                duidByIp.put(ip, "00:03:00:01:02:18:00:00:08:0" + (i + 1));
            }
            assertThat(new HashSet<>(duidByIp.keySet())).hasSize(3);
            assertThat(boundRows(db)).isEqualTo(duidByIp);

            lab.killServer();
            lab.restartServer();
            String ip1 = duidByIp.entrySet().stream().filter(e -> e.getValue().endsWith(":01")).findFirst().orElseThrow().getKey();
            assertThat(lab.lease("lan0", ip1)).containsEntry("state", "bound").containsEntry("duid", duidByIp.get(ip1));
            DhcpClient d1 = clients.getFirst();
            int seen = d1.events().size();
            Map<String, String> renewed = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (renewed == null && System.nanoTime() < deadline) {
                List<Map<String, String>> events = d1.events();
                for (int i = seen; i < events.size(); i++) {
                    if ("renew6".equals(events.get(i).get("event"))) {
                        renewed = events.get(i);
                    }
                }
                Thread.sleep(200);
            }
            assertThat(renewed).as("a RENEW6 answered after the restart: " + d1.eventNames()).isNotNull()
                    .containsEntry("new_ip6_address", ip1);
            assertThat(boundRows(db)).isEqualTo(duidByIp);
            clients.forEach(DhcpClient::close);
        }
    }

    /** Table lease6's bound rows: address → DUID. */
    private static Map<String, String> boundRows(PostgresDatabase db) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT host(ip), duid FROM lease6 WHERE state = 'bound'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }
}
