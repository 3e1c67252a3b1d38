package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * network status/check and nad import/export against a running server; nad lint and doctor offline
 * (config file only, no server). Bridges named here do not exist, so nothing probes the host.
 */
class CliConnectivityNadTest {
    @TempDir
    static Path dir;
    static TestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        srv.close();
    }

    static CliRun offline(String... args) {
        return CliRun.offline(args);
    }

    static CliRun online(String... args) {
        return CliRun.online(srv, args);
    }

    @Test
    void networkStatusAndCheck() throws Exception {
        assertThat(online("network", "create", "k1", "--cidr", "198.18.24.0/24", "--gateway", "198.18.24.1",
                "--bridge", "vmt-nobr6").exit()).isZero();
        CliRun check = online("network", "check", "k1", "--output", "json");
        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.json().path("status").asText()).isEqualTo("Unknown");
        assertThat(check.json().path("reason").asText()).isEqualTo("no interface");
        assertThat(check.json().path("checkedAt").isNull()).isFalse();
        CliRun one = online("network", "status", "k1");
        assertThat(one.exit()).isZero();
        assertThat(one.out()).contains("Unknown").contains("no interface");
        CliRun all = online("network", "status", "-o", "json");
        assertThat(all.exit()).isZero();
        assertThat(all.json().findValuesAsText("network")).contains("k1");
        assertThat(online("network", "status", "nope").exit()).isEqualTo(1);
        assertThat(online("network", "check").exit()).isEqualTo(2);
    }

    @Test
    void nadImportAndExport() throws Exception {
        Path file = dir.resolve("nads.yaml");
        Files.writeString(file, """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata:
                  name: k2
                  annotations:
                    network.harvesterhci.io/route: '{"mode":"manual","cidr":"198.18.25.0/24","gateway":"198.18.25.1"}'
                spec:
                  config: '{"cniVersion":"0.3.1","name":"k2","type":"bridge","bridge":"vmt-nobr7","ipam":{}}'
                """);
        CliRun imported = online("nad", "import", file.toString(), "-o", "json");
        assertThat(imported.exit()).as(imported.err()).isZero();
        assertThat(imported.json().get(0).path("stored").asText()).isEqualTo("network");
        CliRun export = online("nad", "export", "k2");
        assertThat(export.exit()).as(export.err()).isZero();
        assertThat(export.out()).contains("NetworkAttachmentDefinition").contains("vmt-nobr7").contains("198.18.25.1");
        assertThat(online("nad", "export", "k2", "--cni", "macvlan").out()).contains("tuning");

        assertThat(online("nad", "import", dir.resolve("missing.yaml").toString()).exit()).isEqualTo(2);
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "kind: ConfigMap\n");
        assertThat(online("nad", "import", bad.toString()).exit()).isEqualTo(2);
        assertThat(online("nad", "export", "nope").exit()).isEqualTo(1);
        assertThat(online("nad", "export", "k2", "--cni", "ipvlan").exit()).isEqualTo(2);
    }

    @Test
    void nadLintWorksOfflineAgainstTheConfigsNetworks() throws Exception {
        Path config = dir.resolve("lint.yaml");
        Files.writeString(config, """
                dataDir: %s
                networks:
                  - name: k3
                    cidr: 198.18.26.0/24
                    gateway: 198.18.26.1
                    mtu: 1500
                """.formatted(dir.resolve("lintdata")));
        Path nad = dir.resolve("k3.yaml");
        Files.writeString(nad, """
                apiVersion: k8s.cni.cncf.io/v1
                kind: NetworkAttachmentDefinition
                metadata:
                  name: k3
                spec:
                  config: '{"cniVersion":"0.3.1","name":"k3","type":"bridge","bridge":"br-k3","mtu":9000,"ipam":{}}'
                """);
        CliRun lint = offline("nad", "lint", nad.toString(), "--config", config.toString(), "--output", "json");
        assertThat(lint.exit()).as(lint.err()).isIn(0, 1);
        assertThat(lint.json().path("findings").toString()).contains("9000");
        assertThat(offline("nad", "lint", dir.resolve("missing.yaml").toString()).exit()).isEqualTo(2);
        assertThat(offline("nad", "lint", nad.toString(), "--output", "xml").exit()).isEqualTo(2);
        Path broken = dir.resolve("broken-config.yaml");
        Files.writeString(broken, "networks: [{name: x, cidr: nonsense}]\n");
        assertThat(offline("nad", "lint", nad.toString(), "--config", broken.toString()).exit()).isEqualTo(2);
    }

    @Test
    void doctorWorksOfflineFromTheConfig() throws Exception {
        Path config = dir.resolve("doctor.yaml");
        Files.writeString(config, """
                dataDir: %s
                networks:
                  - name: k4
                    cidr: 198.18.27.0/24
                    gateway: 198.18.27.1
                    bridge: vmt-nobr8
                """.formatted(dir.resolve("doctordata")));
        // --no-probes: read host state only; the bridge does not exist, which is the finding.
        CliRun doctor = offline("doctor", "--config", config.toString(), "--no-probes", "--output", "json");
        assertThat(doctor.exit()).as(doctor.err()).isEqualTo(1);
        JsonNode findings = doctor.json().path("findings");
        assertThat(findings.toString()).contains("vmt-nobr8");
        assertThat(findings.get(0).has("check")).isTrue();
        assertThat(findings.get(0).has("severity")).isTrue();
        assertThat(findings.get(0).has("fix")).isTrue();
        assertThat(offline("doctor", "--config", config.toString(), "--network", "nope").exit()).isEqualTo(2);
        assertThat(offline("doctor", "--config", config.toString(), "--output", "xml").exit()).isEqualTo(2);
        assertThat(offline("doctor").exit()).isEqualTo(2);
    }

    @Test
    void helpOnTheNewCommandsShowsAnExample() {
        for (String[] cmd : List.of(new String[] {"nad", "lint", "--help"}, new String[] {"nad", "import", "--help"},
                new String[] {"nad", "export", "--help"}, new String[] {"doctor", "--help"},
                new String[] {"network", "status", "--help"}, new String[] {"network", "check", "--help"})) {
            CliRun r = offline(cmd);
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).contains("Example").contains("vmaddr ");
        }
    }
}
