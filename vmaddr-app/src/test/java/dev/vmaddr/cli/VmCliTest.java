package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.api.TestServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vmaddr vm ...}, {@code vmaddr nic ...} and {@code vmaddr network export} against a running server. */
class VmCliTest {
    @TempDir
    static Path dir;
    static TestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        CliRun net = vmaddr("network", "create", "v1", "--cidr", "198.18.20.0/24", "--gateway", "198.18.20.1",
                "--bridge", "br-v1", "--pool", "198.18.20.10-198.18.20.99");
        assertThat(net.exit()).as(net.err()).isZero();
    }

    @AfterAll
    static void stop() {
        srv.close();
    }

    static CliRun vmaddr(String... args) {
        return CliRun.online(srv, args);
    }

    @Test
    void vmAndNicCommandsShowSpecPendingAndObservedSideBySide() throws Exception {
        CliRun create = vmaddr("vm", "create", "web1", "--host", "hv1", "--nic", "nic0=v1", "--output", "json");
        assertThat(create.exit()).as(create.err()).isZero();
        String mac = create.json().at("/nics/0/mac").asText();

        CliRun show = vmaddr("vm", "show", "web1");
        assertThat(show.out()).contains("web1 on hv1: stopped", "PENDINGMAC", "OBSERVEDMAC", mac);

        assertThat(vmaddr("vm", "start", "web1").exit()).isZero();
        CliRun set = vmaddr("nic", "set-mac", "web1", "nic0", "52:54:00:AA:BB:01", "-o", "json");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(set.json().path("pendingMac").asText()).isEqualTo("52:54:00:aa:bb:01");

        CliRun drift = vmaddr("vm", "drift", "web1", "--output", "json");
        assertThat(drift.json().at("/findings/0/kind").asText()).isEqualTo("pending-change");
        assertThat(vmaddr("vm", "drift").out()).contains("pending-change", "web1");
        assertThat(vmaddr("vm", "drift", "-o", "json").json().at("/0/findings/0/kind").asText()).isEqualTo("pending-change");
        assertThat(vmaddr("vm", "restart", "web1", "-o", "json").json().at("/nics/0/mac").asText()).isEqualTo("52:54:00:aa:bb:01");
        assertThat(vmaddr("vm", "drift", "web1", "-o", "json").json().path("findings")).isEmpty();

        CliRun add = vmaddr("nic", "add", "web1", "nic1", "--network", "v1", "--mac", "02:18:00:00:20:01", "-o", "json");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(vmaddr("vm", "list", "-o", "json").json().get(0).path("nics")).hasSize(2);
        assertThat(vmaddr("vm", "list").out()).contains("web1", "nic1", "02:18:00:00:20:01");
        assertThat(vmaddr("nic", "remove", "web1", "nic1").exit()).isZero();
        assertThat(vmaddr("vm", "stop", "web1").out()).contains("web1 on hv1: stopped");

        CliRun xml = vmaddr("vm", "export", "web1", "--format", "libvirt");
        assertThat(xml.out()).contains("<source bridge=\"br-v1\"/>");
        assertThat(vmaddr("vm", "export", "web1", "--format", "qemu").out()).startsWith("-nic bridge,br=br-v1,mac=52:54:00:aa:bb:01");
        assertThat(vmaddr("network", "export", "v1", "--format", "libvirt").out()).contains("<host ", "52:54:00:aa:bb:01");
        assertThat(vmaddr("network", "export", "v1", "--format", "nad", "--cni", "macvlan").out()).contains("tuning");

        assertThat(vmaddr("vm", "delete", "web1").exit()).isZero();
        assertThat(vmaddr("vm", "show", "web1").exit()).isEqualTo(1);
    }

    @Test
    void badInputExitsTwoAndConflictsOne() {
        assertThat(vmaddr("vm", "create", "x", "--nic", "nic0").exit()).isEqualTo(2);
        assertThat(vmaddr("vm", "create", "x", "--nic", "nic0=v1,01:00:5e:00:00:01").exit()).isEqualTo(2);
        assertThat(vmaddr("vm", "create", "y", "--nic", "nic0=v1,02:18:00:00:20:09").exit()).isZero();
        CliRun taken = vmaddr("vm", "create", "z", "--nic", "nic0=v1,02:18:00:00:20:09");
        assertThat(taken.exit()).isEqualTo(1);
        assertThat(taken.err()).contains("conflict");
        assertThat(vmaddr("vm", "export", "y", "--format", "vmx").exit()).isEqualTo(2);
    }
}
