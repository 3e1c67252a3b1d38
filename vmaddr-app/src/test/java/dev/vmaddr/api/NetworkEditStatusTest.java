package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status of each network edit refusal over real HTTP: the catalog's kind decides it (invalid
 * 400, conflict 409, not found 404), with the field at fault, never the message's wording. One
 * server for the class; each test has its own networks.
 */
class NetworkEditStatusTest {
    @TempDir
    static Path dir;
    static TestServer srv;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    record Answer(int status, JsonNode body) {
        String field() {
            return body.path("field").asText();
        }

        String detail() {
            return body.path("detail").asText();
        }
    }

    static Answer call(String method, String path, String body) throws Exception {
        HttpAnswer a = HttpAnswer.send(http, srv, method, path, body, null, srv.token);
        return new Answer(a.status(), a.text().isEmpty() ? null : a.json());
    }

    static void created(String method, String path, String body) throws Exception {
        Answer a = call(method, path, body);
        assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(201);
    }

    @Test
    void overlapAndDuplicateNameAre409NamingTheField() throws Exception {
        created("POST", "/api/v1/networks", "{\"name\":\"o1\",\"cidr\":\"198.18.10.0/24\"}");
        Answer overlap = call("POST", "/api/v1/networks", "{\"name\":\"o2\",\"cidr\":\"198.18.10.128/25\"}");
        assertThat(overlap.status()).isEqualTo(409);
        assertThat(overlap.field()).isEqualTo("cidr");
        assertThat(overlap.detail()).contains("o1");
        Answer again = call("POST", "/api/v1/networks", "{\"name\":\"o1\",\"cidr\":\"198.18.11.0/24\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.field()).isEqualTo("name");
        // replacing a network with a CIDR overlapping another is a conflict too
        created("POST", "/api/v1/networks", "{\"name\":\"o3\",\"cidr\":\"198.18.12.0/24\"}");
        Answer put = call("PUT", "/api/v1/networks/o3", "{\"name\":\"o3\",\"cidr\":\"198.18.10.0/23\"}");
        assertThat(put.status()).isEqualTo(409);
        assertThat(put.field()).isEqualTo("cidr");
    }

    @Test
    void brokenRulesAre400WithEveryField() throws Exception {
        Answer a = call("POST", "/api/v1/networks",
                "{\"name\":\"i1\",\"cidr\":\"198.18.20.0/24\",\"gateway\":\"198.18.21.1\",\"pools\":[\"198.18.22.1-198.18.22.5\"]}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().path("errors").findValuesAsText("field")).containsExactly("gateway", "pools[0]");
        created("POST", "/api/v1/networks", "{\"name\":\"i1\",\"cidr\":\"198.18.20.0/24\",\"pools\":[\"198.18.20.10-198.18.20.20\"]}");
        Answer pool = call("POST", "/api/v1/networks/i1/pools", "{\"range\":\"198.18.20.15-198.18.20.30\"}");
        assertThat(pool.status()).isEqualTo(400);
        assertThat(pool.field()).isEqualTo("pools[1]");
        Answer res = call("POST", "/api/v1/networks/i1/reservations", "{\"mac\":\"02:18:00:00:20:01\",\"ip\":\"198.18.99.5\"}");
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.field()).isEqualTo("reservations[0].ip");
        Answer takeOver = call("POST", "/api/v1/networks/i1/reservations",
                "{\"mac\":\"02:18:00:00:20:01\",\"ip\":\"198.18.20.5\",\"takeOver\":\"maybe\"}");
        assertThat(takeOver.status()).isEqualTo(400);
        assertThat(takeOver.field()).isEqualTo("takeOver");
    }

    @Test
    void missingNetworkPoolOrReservationIs404() throws Exception {
        assertThat(call("PUT", "/api/v1/networks/n0", "{\"name\":\"n0\",\"cidr\":\"198.18.30.0/24\"}").status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/networks/n0", null).status()).isEqualTo(404);
        assertThat(call("POST", "/api/v1/networks/n0/pools", "{\"range\":\"198.18.30.10-198.18.30.20\"}").status()).isEqualTo(404);
        created("POST", "/api/v1/networks", "{\"name\":\"n1\",\"cidr\":\"198.18.30.0/24\"}");
        assertThat(call("DELETE", "/api/v1/networks/n1/pools/198.18.30.10-198.18.30.20", null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/api/v1/networks/n1/reservations/198.18.30.5", null).status()).isEqualTo(404);
    }

    @Test
    void reservationClashesAre409() throws Exception {
        created("POST", "/api/v1/networks", "{\"name\":\"r1\",\"cidr\":\"198.18.40.0/24\",\"pools\":[\"198.18.40.100-198.18.40.199\"]}");
        created("POST", "/api/v1/networks/r1/reservations", "{\"mac\":\"02:18:00:00:40:01\",\"ip\":\"198.18.40.5\"}");
        Answer sameMac = call("POST", "/api/v1/networks/r1/reservations", "{\"mac\":\"02:18:00:00:40:01\",\"ip\":\"198.18.40.6\"}");
        assertThat(sameMac.status()).isEqualTo(409);
        assertThat(sameMac.field()).isEqualTo("mac");
        Answer sameIp = call("POST", "/api/v1/networks/r1/reservations", "{\"mac\":\"02:18:00:00:40:02\",\"ip\":\"198.18.40.5\"}");
        assertThat(sameIp.status()).isEqualTo(409);
        assertThat(sameIp.field()).isEqualTo("ip");
    }

    /** Issue 15 item 7 over the API; the same with a real DHCP client: ReservationTakeOverNetnsTest. */
    @Test
    void aReservationOverALiveLeaseIs409NamingTheHolderUnlessTakeOver() throws Exception {
        created("POST", "/api/v1/networks", "{\"name\":\"l1\",\"cidr\":\"198.18.50.0/24\",\"pools\":[\"198.18.50.100-198.18.50.199\"]}");
        created("POST", "/api/v1/networks/l1/allocations", "{\"mac\":\"02:18:00:00:50:0b\",\"ip\":\"198.18.50.150\"}");

        Answer clash = call("POST", "/api/v1/networks/l1/reservations", "{\"mac\":\"02:18:00:00:50:0a\",\"ip\":\"198.18.50.150\"}");
        assertThat(clash.status()).isEqualTo(409);
        assertThat(clash.field()).isEqualTo("ip");
        assertThat(clash.detail()).contains("02:18:00:00:50:0b").contains("takeOver");
        assertThat(call("GET", "/api/v1/networks/l1/reservations", null).body()).isEmpty();

        Answer taken = call("POST", "/api/v1/networks/l1/reservations",
                "{\"mac\":\"02:18:00:00:50:0a\",\"ip\":\"198.18.50.150\",\"takeOver\":true}");
        assertThat(taken.status()).as(String.valueOf(taken.body())).isEqualTo(201);
        assertThat(taken.body().has("takeOver")).isFalse();
        assertThat(call("GET", "/api/v1/networks/l1/reservations", null).body().findValuesAsText("mac"))
                .containsExactly("02:18:00:00:50:0a");
    }
}
