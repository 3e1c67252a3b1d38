package dev.vmaddr.connectivity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.hostnet.ProcessCommandRunner;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

@RequiresRoot
class StaleProbeNamespacesTest {
    private static final String BASE = "vmt-probe-stale-";

    @Test
    void deletesOnlyTheNamespacesOfProcessesThatAreGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String dead = BASE + gone.pid() + "-0001";
        String alive = StaleProbeNamespaces.prefixFor(BASE) + "0002";
        ProcessCommandRunner host = new ProcessCommandRunner();
        try {
            assertThat(host.run("ip", "netns", "add", dead).ok()).isTrue();
            assertThat(host.run("ip", "netns", "add", alive).ok()).isTrue();

            assertThat(StaleProbeNamespaces.cleanUp(host, BASE)).containsExactly(dead);

            assertThat(Files.exists(Path.of("/run/netns", dead))).isFalse();
            assertThat(Files.exists(Path.of("/run/netns", alive))).isTrue();
        } finally {
            host.run("ip", "netns", "del", dead);
            host.run("ip", "netns", "del", alive);
        }
    }
}
