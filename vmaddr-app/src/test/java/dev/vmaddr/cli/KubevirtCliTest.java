package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.api.HttpAnswer;
import dev.vmaddr.api.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmaddr reconcile --from kubevirt} against a running server: a manifest holding a NAD and a
 * VM (modelled on KubeVirt's examples/vm_multus_with_nad.yaml); a broken file refused with
 * file:line and nothing written, the dry run, the real run, and the API refusing a broken file too.
 */
class KubevirtCliTest {
    @TempDir
    static Path dir;
    static TestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        CliRun net = CliRun.online(srv, "network", "create", "lab-net", "--cidr", "198.18.40.0/24", "--gateway", "198.18.40.1",
                "--pool", "198.18.40.10-198.18.40.99");
        assertThat(net.exit()).as(net.err()).isZero();
    }

    @AfterAll
    static void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = KubevirtCliTest.class.getResourceAsStream("/kubevirt/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void reconcileFromManifestsDryThenApplied() throws Exception {
        Path web = dir.resolve("web1.yaml");
        Files.writeString(web, resource("vm-multus-with-nad.yaml"));
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, resource("vmi-running.yaml").replace("02:00:00:0b:00:02", "02:00:00:0b:00:zz"));

        CliRun bad = CliRun.online(srv, "reconcile", "--from", "kubevirt", web.toString(), broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains(broken + ":16: spec.domain.devices.interfaces[1].macAddress: invalid MAC address");
        assertThat(CliRun.online(srv, "vm", "show", "web1").exit()).as("nothing written").isEqualTo(1);
        assertThat(CliRun.online(srv, "reconcile", "--from", "vsphere", web.toString()).exit()).isEqualTo(2);

        CliRun dry = CliRun.online(srv, "reconcile", "--from", "kubevirt", web.toString(), "--dry-run", "-o", "json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().path("claimed").toString())
                .isEqualTo("[{\"vm\":\"web1\",\"nic\":\"lab\",\"mac\":\"02:00:00:0b:00:01\",\"network\":\"lab-net\"}]");
        assertThat(dry.json().at("/vms/0/steps").toString()).isEqualTo("[\"create\",\"start\"]");
        assertThat(CliRun.online(srv, "vm", "show", "web1").exit()).isEqualTo(1);

        CliRun applied = CliRun.online(srv, "reconcile", "--from", "kubevirt", web.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("applied", "claimed: 1", "web1", "02:00:00:0b:00:01", "started/stopped: 1", "start web1");
        CliRun show = CliRun.online(srv, "vm", "show", "web1", "-o", "json");
        assertThat(show.json().at("/nics/0/mac").asText()).isEqualTo("02:00:00:0b:00:01");
        assertThat(show.json().at("/nics/0/name").asText()).isEqualTo("lab");
        assertThat(show.json().path("nics")).as("the pod network NIC is not vmaddr's").hasSize(1);
        assertThat(show.json().path("state").asText()).isEqualTo("running");
    }

    @Test
    void theApiRefusesABrokenManifestWithItsFileAndLine() throws Exception {
        String body = "{\"from\":\"kubevirt\",\"dryRun\":false,\"files\":[{\"name\":\"x.yaml\",\"content\":"
                + "\"apiVersion: kubevirt.io/v1\\nkind: VirtualMachine\\nmetadata:\\n  name: api1\\nspec:\\n  runStrategy: Sometimes\\n"
                + "  template:\\n    spec: {}\\n\"}]}";
        HttpAnswer a = HttpAnswer.send(HttpClient.newHttpClient(), srv, "POST", "/api/v1/reconcile", body, "application/json", srv.token);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.contentType()).startsWith("application/problem+json");
        assertThat(a.text()).contains("x.yaml:1: spec.runStrategy \\\"Sometimes\\\"");
        assertThat(CliRun.online(srv, "vm", "show", "api1").exit()).isEqualTo(1);
    }
}
