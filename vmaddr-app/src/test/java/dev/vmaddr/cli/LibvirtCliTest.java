package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmaddr.api.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmaddr libvirt sync} against a running server and libvirt's test driver
 * ({@code test:///default}: one running domain "test" with an interface on network "default",
 * MAC aa:bb:cc:dd:ee:ff), through real virsh. The guests themselves are LibvirtNetnsTest's.
 */
class LibvirtCliTest {
    @TempDir
    static Path dir;
    static TestServer srv;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/virsh")), "virsh (libvirt-clients) is not installed");
        srv = new TestServer(dir.resolve("data"));
        CliRun net = CliRun.online(srv, "network", "create", "default", "--cidr", "198.18.30.0/24", "--gateway", "198.18.30.1",
                "--pool", "198.18.30.10-198.18.30.99");
        assertThat(net.exit()).as(net.err()).isZero();
    }

    @AfterAll
    static void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    @Test
    void dryRunPlansThenSyncCreatesThenNothingChanges() throws Exception {
        CliRun dry = CliRun.online(srv, "libvirt", "sync", "--uri", "test:///default", "--dry-run", "--output", "json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().path("dryRun").asBoolean()).isTrue();
        assertThat(dry.json().at("/vms/0/name").asText()).isEqualTo("test");
        assertThat(dry.json().at("/vms/0/action").asText()).isEqualTo("created");
        assertThat(dry.json().at("/vms/0/nics/0").toString())
                .isEqualTo("{\"name\":\"nic0\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"network\":\"default\"}");
        assertThat(CliRun.online(srv, "vm", "show", "test").exit()).as("a dry run writes nothing").isEqualTo(1);

        CliRun sync = CliRun.online(srv, "libvirt", "sync", "--uri", "test:///default");
        assertThat(sync.exit()).as(sync.err()).isZero();
        assertThat(sync.out()).contains("test", "created", "nic0=aa:bb:cc:dd:ee:ff@default", "create; start");
        CliRun vm = CliRun.online(srv, "vm", "show", "test", "-o", "json");
        assertThat(vm.json().path("state").asText()).isEqualTo("running");
        assertThat(vm.json().at("/nics/0/mac").asText()).isEqualTo("aa:bb:cc:dd:ee:ff");
        assertThat(vm.json().at("/nics/0/ip").asText()).startsWith("198.18.30.");

        CliRun again = CliRun.online(srv, "libvirt", "sync", "--uri", "test:///default", "-o", "json");
        assertThat(again.json().at("/vms/0/action").asText()).isEqualTo("unchanged");
        assertThat(again.json().path("conflicts")).isEmpty();
    }

    @Test
    void libvirtUnreachableExitsOneWithTheReasonAndBadUsageTwo() {
        CliRun gone = CliRun.online(srv, "libvirt", "sync", "--uri", "qemu:///system?socket=" + dir.resolve("no-such-sock"));
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("no-such-sock");
        assertThat(CliRun.online(srv, "libvirt", "sync", "--output", "yaml").exit()).isEqualTo(2);
        CliRun none = CliRun.online(srv, "libvirt", "sync");
        assertThat(none.exit()).as("no libvirt: section and no --uri").isEqualTo(1);
        assertThat(none.err()).contains("no libvirt: section");
        for (String remote : new String[] {"qemu+ext:///system?command=/bin/touch", "qemu+ssh://root@198.18.0.9/system",
                "qemu:///system?socket=/x&netcat=/bin/sh"}) {
            CliRun refused = CliRun.online(srv, "libvirt", "sync", "--uri", remote);
            assertThat(refused.exit()).as(remote).isEqualTo(2);
            assertThat(refused.err()).contains("not the configured libvirt.uri nor a local one");
        }
        assertThat(CliRun.online(srv, "libvirt", "sync", "--bogus").exit()).isEqualTo(2);
    }

    @Test
    void reconcileFromDomainFilesDryThenApplied() throws Exception {
        Path web = dir.resolve("rweb.xml");
        Files.writeString(web, "<domain type='qemu'>\n  <name>rweb</name>\n  <devices>\n    <interface type='network'>\n"
                + "      <mac address='52:54:00:30:00:01'/>\n      <source network='default'/>\n    </interface>\n  </devices>\n</domain>\n");
        Path broken = dir.resolve("broken.xml");
        Files.writeString(broken, "<domain>\n  <name>x</name>\n  <devices>\n    <interface type='bridge'>\n"
                + "      <mac address='52:54:00:zz:00:01'/>\n    </interface>\n  </devices>\n</domain>\n");

        CliRun bad = CliRun.online(srv, "reconcile", "--from", "libvirt", web.toString(), broken.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains(broken + ":5: <mac address='52:54:00:zz:00:01'>");
        assertThat(CliRun.online(srv, "vm", "show", "rweb").exit()).as("nothing written").isEqualTo(1);
        assertThat(CliRun.online(srv, "reconcile", "--from", "kubevirt", web.toString()).exit()).isEqualTo(2);

        CliRun dry = CliRun.online(srv, "reconcile", "--from", "libvirt", web.toString(), "--dry-run", "-o", "json");
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.json().path("claimed").toString())
                .contains("{\"vm\":\"rweb\",\"nic\":\"nic0\",\"mac\":\"52:54:00:30:00:01\",\"network\":\"default\"}");
        assertThat(CliRun.online(srv, "vm", "show", "rweb").exit()).isEqualTo(1);

        CliRun applied = CliRun.online(srv, "reconcile", "--from", "libvirt", web.toString());
        assertThat(applied.exit()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("applied", "claimed: 1", "rweb", "52:54:00:30:00:01");
        assertThat(CliRun.online(srv, "vm", "show", "rweb", "-o", "json").json().at("/nics/0/mac").asText())
                .isEqualTo("52:54:00:30:00:01");
    }
}
