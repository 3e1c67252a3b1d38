package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.testing.postgres.PostgresDatabase;
import dev.vmaddr.testing.postgres.PostgresExtension;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 20: who made each lease and MAC change, through the real routes of a real server (HTTP on
 * loopback) on each store: an API call with a named token is {@code api:<name>}, the CNI plugin's
 * route is {@code cni}, an import is {@code import} — for the events the stores derive from lease
 * and MAC records, not only for those the VM inventory writes.
 */
@ExtendWith(PostgresExtension.class)
class HistoryActorsTest {
    private final PostgresDatabase pg;
    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newHttpClient();

    HistoryActorsTest(PostgresDatabase pg) {
        this.pg = pg;
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    private void start(String kind) throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Path tokenFile = data.resolve("ci-bot-token");
        VmaddrConfig.Api api = new VmaddrConfig.Api(new VmaddrConfig.Listen("127.0.0.1", 0), tokenFile,
                List.of(new VmaddrConfig.ApiToken("ci-bot", tokenFile, VmaddrConfig.TokenScope.ADMIN)), null, null);
        VmaddrConfig.StoreKind store = VmaddrConfig.StoreKind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
        VmaddrConfig.Postgresql postgresql = null;
        if (store == VmaddrConfig.StoreKind.POSTGRESQL) {
            Path password = data.resolve("pg-password");
            Files.writeString(password, pg.password() + "\n");
            postgresql = new VmaddrConfig.Postgresql(pg.cluster().createDatabase("actors"), pg.user(), password, null);
        }
        srv = new TestServer(new VmaddrConfig("test", data, store, postgresql, api, null, MacPoolSpec.defaults(), List.of(),
                VmaddrConfig.Log.DEFAULT));
        HttpAnswer n = call("POST", "/api/v1/networks", """
                {"name":"a1","cidr":"198.18.7.0/24","gateway":"198.18.7.1","pools":["198.18.7.10-198.18.7.250"]}""", null);
        assertThat(n.status()).as(n.text()).isEqualTo(201);
    }

    HttpAnswer call(String method, String path, String body, String contentType) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, contentType, srv.token);
    }

    List<JsonNode> history(String query) throws Exception {
        HttpAnswer a = call("GET", "/api/v1/history?" + query + "&limit=100", null, null);
        assertThat(a.status()).as(a.text()).isEqualTo(200);
        List<JsonNode> out = new ArrayList<>();
        a.json().get("items").forEach(out::add);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"embedded", "postgresql"})
    void leaseAndMacEventsNameTheirActor(String kind) throws Exception {
        start(kind);
        // API, named token: a lease written by the allocation route, a MAC allocated for a VM
        HttpAnswer a = call("POST", "/api/v1/networks/a1/allocations", "{\"mac\":\"52:54:00:07:00:01\",\"ip\":\"198.18.7.17\"}", null);
        assertThat(a.status()).as(a.text()).isEqualTo(201);
        assertThat(call("DELETE", "/api/v1/networks/a1/allocations/198.18.7.17", null, null).status()).isEqualTo(204);
        assertThat(history("ip=198.18.7.17")).extracting(e -> e.get("kind").asText() + " " + e.get("actor").asText())
                .containsExactly("lease.released api:ci-bot", "lease.bound api:ci-bot");
        HttpAnswer vm = call("POST", "/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"a1\",\"mac\":null}]}", null);
        assertThat(vm.status()).as(vm.text()).isEqualTo(201);
        String mac = vm.json().at("/nics/0/mac").asText();
        List<JsonNode> byMac = history("mac=" + mac);
        assertThat(byMac).filteredOn(e -> e.get("kind").asText().equals("mac.allocated")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("api:ci-bot"));
        assertThat(byMac).allSatisfy(e -> assertThat(e.get("actor").isNull()).as(e.toString()).isFalse());

        // CNI: the plugin's route, whatever token it presents
        HttpAnswer cni = call("PUT", "/api/v1/networks/a1/cni/c0ffee01/eth0", "{\"mac\":\"52:54:00:07:00:02\"}", null);
        assertThat(cni.status()).as(cni.text()).isEqualTo(200);
        List<JsonNode> cniEvents = history("mac=52:54:00:07:00:02");
        assertThat(cniEvents).isNotEmpty().allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo("cni"));

        // import: NDJSON through the import route
        long expires = java.time.Instant.now().plusSeconds(3600).getEpochSecond();
        HttpAnswer imp = call("POST", "/api/v1/networks/a1/import",
                "{\"lease\":{\"ip\":\"198.18.7.200\",\"mac\":\"52:54:00:07:00:03\",\"expiresAt\":" + expires + "}}\n",
                "application/x-ndjson");
        assertThat(imp.status()).as(imp.text()).isEqualTo(200);
        assertThat(imp.json().get("imported").asInt()).isEqualTo(1);
        assertThat(history("ip=198.18.7.200")).extracting(e -> e.get("kind").asText() + " " + e.get("actor").asText())
                .containsExactly("lease.bound import");
    }
}
