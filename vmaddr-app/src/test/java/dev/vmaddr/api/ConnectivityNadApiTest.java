package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connectivity status, NAD import and network export over real HTTP against a real server. The
 * networks name bridges that do not exist ({@code vmt-nobr*}), so every check ends at "no interface"
 * without touching the host; the namespace tests cover the probes themselves.
 */
class ConnectivityNadApiTest {
    static final String NADS = """
            apiVersion: k8s.cni.cncf.io/v1
            kind: NetworkAttachmentDefinition
            metadata:
              name: nadman
              annotations:
                network.harvesterhci.io/route: '{"mode":"manual","cidr":"198.18.20.0/24","gateway":"198.18.20.1"}'
            spec:
              config: '{"cniVersion":"0.3.1","name":"nadman","type":"bridge","bridge":"vmt-nobr2","vlan":20,"ipam":{}}'
            ---
            apiVersion: k8s.cni.cncf.io/v1
            kind: NetworkAttachmentDefinition
            metadata:
              name: nadauto
            spec:
              config: '{"cniVersion":"0.3.1","name":"nadauto","type":"bridge","bridge":"vmt-nobr3","ipam":{}}'
            """;

    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpAnswer call(String method, String path, String body, String contentType) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, contentType, srv.token);
    }

    HttpAnswer call(String method, String path, String json) throws Exception {
        return call(method, path, json, json == null ? null : "application/json");
    }

    /** Polls (bounded: 200 tries, 50 ms apart) until the background check has set checkedAt. */
    JsonNode awaitChecked(String network) throws Exception {
        for (int i = 0; i < 200; i++) {
            HttpAnswer a = call("GET", "/api/v1/networks/" + network + "/status", null);
            assertThat(a.status()).as(a.text()).isEqualTo(200);
            if (!a.json().path("checkedAt").isNull()) {
                return a.json();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no check of " + network + " finished");
    }

    @Test
    void aNetworkMadeThroughTheApiGetsAStatusWithoutAnyTrigger() throws Exception {
        HttpAnswer created = call("POST", "/api/v1/networks", """
                {"name":"s1","cidr":"198.18.16.0/24","gateway":"198.18.16.1","bridge":"vmt-nobr1",
                 "route":{"mode":"manual","cidr":"198.18.16.0/24","gateway":"198.18.16.1"}}""");
        assertThat(created.status()).as(created.text()).isEqualTo(201);

        // Right away: a status exists, pending or already checked; never a 404 or a wait on the probe.
        JsonNode first = call("GET", "/api/v1/networks/s1/status", null).json();
        assertThat(first.path("status").asText()).isEqualTo("Unknown");
        assertThat(first.path("reason").asText()).isIn("not checked yet", "no interface");

        JsonNode s = awaitChecked("s1");
        assertThat(s.path("network").asText()).isEqualTo("s1");
        assertThat(s.path("mode").asText()).isEqualTo("manual");
        // Issue 15 item 8: no bridge on this host means nothing was checked: Unknown, never Inactive.
        assertThat(s.path("status").asText()).isEqualTo("Unknown");
        assertThat(s.path("reason").asText()).isEqualTo("no interface");
        assertThat(s.path("detail").asText()).contains("vmt-nobr1");
        assertThat(s.path("cidr").asText()).isEqualTo("198.18.16.0/24");
        assertThat(s.path("gateway").asText()).isEqualTo("198.18.16.1");

        HttpAnswer checked = call("POST", "/api/v1/networks/s1/check", null);
        assertThat(checked.status()).isEqualTo(200);
        assertThat(checked.json().path("reason").asText()).isEqualTo("no interface");
        assertThat(checked.json().path("checkedAt").isNull()).isFalse();

        // Unknown stays out of the not-Active count (== 0): the gauge is NaN.
        assertThat(srv.server.metrics().scrape()).contains("vmaddr_network_route_active{network=\"s1\"} NaN");

        // Deleted: the status goes with the network.
        assertThat(call("DELETE", "/api/v1/networks/s1", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/networks/s1/status", null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/networks/s1/check", null).status()).isEqualTo(404);
    }

    @Test
    void aChangedNetworkIsCheckedAgainWithItsNewDefinition() throws Exception {
        call("POST", "/api/v1/networks", "{\"name\":\"s2\",\"cidr\":\"198.18.17.0/24\",\"bridge\":\"vmt-nobr4\"}");
        assertThat(awaitChecked("s2").path("detail").asText()).contains("vmt-nobr4");
        HttpAnswer put = call("PUT", "/api/v1/networks/s2", "{\"name\":\"s2\",\"cidr\":\"198.18.17.0/24\",\"bridge\":\"vmt-nobr5\"}");
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        for (int i = 0; i < 200 && !call("GET", "/api/v1/networks/s2/status", null).json().path("detail").asText().contains("vmt-nobr5"); i++) {
            Thread.sleep(50);
        }
        assertThat(call("GET", "/api/v1/networks/s2/status", null).json().path("detail").asText()).contains("vmt-nobr5");
    }

    @Test
    void nadImportCreatesNetworksOrConnectivityTargetsAndExportRoundTrips() throws Exception {
        HttpAnswer imported = call("POST", "/api/v1/nads", NADS, "application/yaml");
        assertThat(imported.status()).as(imported.text()).isEqualTo(200);
        JsonNode items = imported.json().path("items");
        assertThat(items).hasSize(2);
        assertThat(items.get(0).path("stored").asText()).isEqualTo("network");
        assertThat(items.get(0).path("network").path("cidr").asText()).isEqualTo("198.18.20.0/24");
        assertThat(items.get(1).path("stored").asText()).isEqualTo("connectivity-target");

        JsonNode net = call("GET", "/api/v1/networks/nadman", null).json();
        assertThat(net.path("bridge").asText()).isEqualTo("vmt-nobr2");
        assertThat(net.path("vlan").asInt()).isEqualTo(20);
        assertThat(call("GET", "/api/v1/networks/nadauto", null).status()).isEqualTo(404);

        // Both are checked, the auto one without a CIDR all the same.
        assertThat(awaitChecked("nadman").path("mode").asText()).isEqualTo("manual");
        JsonNode auto = awaitChecked("nadauto");
        assertThat(auto.path("mode").asText()).isEqualTo("auto");
        assertThat(auto.path("reason").asText()).isEqualTo("no interface");
        JsonNode all = call("GET", "/api/v1/connectivity", null).json();
        assertThat(all.findValuesAsText("network")).containsExactly("nadauto", "nadman");

        // Export as a NAD, import it again: same network.
        HttpAnswer export = call("GET", "/api/v1/networks/nadman/export?format=nad", null);
        assertThat(export.status()).as(export.text()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("application/yaml");
        assertThat(export.text()).contains("network.harvesterhci.io/route").contains("198.18.20.1").contains("vmt-nobr2");
        assertThat(call("DELETE", "/api/v1/networks/nadman", null).status()).isEqualTo(204);
        HttpAnswer again = call("POST", "/api/v1/nads", export.text(), "application/yaml");
        assertThat(again.status()).as(again.text()).isEqualTo(200);
        JsonNode back = call("GET", "/api/v1/networks/nadman", null).json();
        assertThat(back.path("cidr").asText()).isEqualTo("198.18.20.0/24");
        assertThat(back.path("gateway").asText()).isEqualTo("198.18.20.1");
        assertThat(back.path("vlan").asInt()).isEqualTo(20);
    }

    @Test
    void nadTargetsSurviveARestart() throws Exception {
        assertThat(call("POST", "/api/v1/nads", NADS, "application/yaml").status()).isEqualTo(200);
        srv.close();
        srv = new TestServer(dir.resolve("data"));
        assertThat(call("GET", "/api/v1/networks/nadauto/status", null).status()).isEqualTo(200);
        assertThat(awaitChecked("nadauto").path("reason").asText()).isEqualTo("no interface");
    }

    @Test
    void badExportAndImportRequestsAre400Or404() throws Exception {
        call("POST", "/api/v1/networks", "{\"name\":\"e1\",\"cidr\":\"198.18.21.0/24\"}");
        HttpAnswer unknown = call("GET", "/api/v1/networks/e1/export?format=dnsmasq", null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().path("detail").asText()).contains("unsupported format").contains("nad").contains("libvirt");
        assertThat(call("GET", "/api/v1/networks/e1/export", null).json().path("field").asText()).isEqualTo("format");
        assertThat(call("GET", "/api/v1/networks/e1/export?format=nad&cni=ipvlan", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/networks/nope/export?format=nad", null).status()).isEqualTo(404);

        HttpAnswer notNad = call("POST", "/api/v1/nads", "kind: ConfigMap\nmetadata: {name: x}\n", "application/yaml");
        assertThat(notNad.status()).as(notNad.text()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/nads", "{{{ not yaml", "application/yaml").status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/nads", "", "application/yaml").status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/networks/nope/status", null).status()).isEqualTo(404);
    }
}
