package dev.vmaddr.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.hostnet.ProcessCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real virsh against libvirt's test driver with a node file: the batched dumpxml and its per-domain fallback. */
class VirshTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needsVirsh() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/virsh")), "virsh (libvirt-clients) is not installed");
    }

    @Test
    void everyDomainWithItsDefinitionAndStateBatchedOrAlone() throws Exception {
        Path node = dir.resolve("node.xml");
        StringBuilder xml = new StringBuilder("<node>\n");
        List<String> names = List.of("a", "it's", "b c", "z");
        for (int i = 0; i < names.size(); i++) {
            xml.append("<domain type='test'><name>").append(names.get(i).replace("'", "&apos;"))
                    .append("</name><memory>8192</memory><os><type>hvm</type></os><devices><interface type='bridge'>")
                    .append("<mac address='52:54:00:00:01:0").append(i).append("'/><source bridge='br0'/></interface></devices></domain>\n");
        }
        Files.writeString(node, xml.append("</node>\n"));

        List<Domain> domains = new Virsh(new ProcessCommandRunner(), "test://" + node).domains();

        assertThat(domains).extracting(Domain::name).containsExactlyInAnyOrderElementsOf(names);
        for (Domain d : domains) {
            int i = names.indexOf(d.name());
            assertThat(d.interfaces()).singleElement().satisfies(f -> {
                assertThat(f.mac()).isEqualTo(MacAddress.parse("52:54:00:00:01:0" + i));
                assertThat(f.bridge()).isEqualTo("br0");
            });
            assertThat(d.state()).as("the test driver starts node-file domains").isEqualTo(Domain.RUNNING);
        }
    }

    @Test
    void libvirtUnreachableIsAnExceptionWithVirshsReason() {
        Virsh virsh = new Virsh(new ProcessCommandRunner(), "qemu:///system?socket=" + dir.resolve("none"));
        assertThatThrownBy(virsh::domains).isInstanceOf(LibvirtException.class).hasMessageContaining(dir.resolve("none").toString());
    }
}
