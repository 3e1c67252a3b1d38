package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.TestServer;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.ipam.AllocationRequest;
import dev.vmaddr.serve.Server;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmaddr history} against a running server (every page followed) and, with no server, on the store. */
class HistoryCliTest {
    @TempDir
    Path dir;

    @Test
    void historyOfAnAddressAMacAndAVmNewestFirstAcrossPages() throws Exception {
        try (TestServer srv = new TestServer(dir.resolve("data"))) {
            CliRun net = CliRun.online(srv, "network", "create", "hc1", "--cidr", "198.18.21.0/24", "--gateway", "198.18.21.1",
                    "--pool", "198.18.21.10-198.18.21.99");
            assertThat(net.exit()).as(net.err()).isZero();
            // 1,200 lease events for one address: more than one page of 1,000
            for (int i = 0; i < 600; i++) {
                MacAddress mac = new MacAddress(0x021821000000L + i);
                srv.server.engine().allocate("hc1", new AllocationRequest(mac, null, Ipv4Address.parse("198.18.21.50"), null, null));
                srv.server.engine().releaseAddress("hc1", Ipv4Address.parse("198.18.21.50"));
            }
            CliRun r = CliRun.online(srv, "history", "--ip", "198.18.21.50", "--output", "json");
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode all = r.json();
            assertThat(all).hasSize(1200);
            assertThat(all.get(0).get("kind").asText()).isEqualTo("lease.released");
            assertThat(all.get(0).get("mac").asText()).isEqualTo("02:18:21:00:02:57"); // the 600th MAC, last released
            assertThat(all.get(1199).get("kind").asText()).isEqualTo("lease.bound");
            assertThat(all.get(1199).get("mac").asText()).isEqualTo("02:18:21:00:00:00");
            List<String> ats = new ArrayList<>();
            all.forEach(e -> ats.add(e.get("at").asText()));
            assertThat(ats).isSortedAccordingTo((a, b) -> java.time.Instant.parse(b).compareTo(java.time.Instant.parse(a)));

            CliRun byMac = CliRun.online(srv, "history", "--mac", "02-18-21-00-00-05", "--limit", "1", "--output", "json");
            assertThat(byMac.exit()).as(byMac.err()).isZero();
            assertThat(byMac.json()).hasSize(1);
            assertThat(byMac.json().get(0).get("kind").asText()).isEqualTo("lease.released");

            CliRun vm = CliRun.online(srv, "vm", "create", "hweb", "--host", "hv1", "--nic", "nic0=hc1");
            assertThat(vm.exit()).as(vm.err()).isZero();
            CliRun table = CliRun.online(srv, "history", "--vm", "hweb");
            assertThat(table.exit()).as(table.err()).isZero();
            assertThat(table.out()).contains("vm.created", "reservation.added", "api:admin", "nic0");

            assertThat(CliRun.online(srv, "history", "--ip", "198.18.21.300").exit()).isEqualTo(2);
            CliRun badSince = CliRun.online(srv, "history", "--since", "yesterday");
            assertThat(badSince.exit()).isEqualTo(2);
            assertThat(badSince.err()).contains("--since");
            assertThat(CliRun.online(srv, "history", "--since", "2026-12-02", "--until", "2026-12-01").exit()).isEqualTo(2);
        }
    }

    @Test
    void withNoServerItReadsTheStore() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("vmaddr.yaml");
        Files.writeString(cfg, """
                dataDir: %s
                api: { listen: 127.0.0.1:%d }
                history: { keep: 30d }
                networks:
                  - name: off2
                    cidr: 198.18.41.0/24
                    gateway: 198.18.41.1
                    pools: ["198.18.41.10-198.18.41.20"]
                """.formatted(dir.resolve("data2"), port));
        Server server = new Server(ConfigLoader.load(cfg), Clock.systemUTC(), new SecureRandom(), List.of()).start();
        server.engine().allocate("off2", AllocationRequest.of(new MacAddress(0x021841000001L)));
        server.close();

        CliRun r = CliRun.offline("history", "--config", cfg.toString(), "--mac", "02:18:41:00:00:01", "--output", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.json()).hasSize(1);
        assertThat(r.json().get(0).get("kind").asText()).isEqualTo("lease.bound");
        assertThat(r.json().get(0).get("network").asText()).isEqualTo("off2");
    }
}
