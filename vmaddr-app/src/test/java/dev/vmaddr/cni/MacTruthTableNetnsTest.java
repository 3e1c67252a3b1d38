package dev.vmaddr.cni;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.api.TestServer;
import dev.vmaddr.cni.CniRuntime.Attachment;
import dev.vmaddr.cni.CniRuntime.PluginRun;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.nad.LintFinding;
import dev.vmaddr.nad.LintReport;
import dev.vmaddr.nad.NadLinter;
import dev.vmaddr.testing.Forwarder;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Does a MAC requested for a pod's NIC reach the interface, and does the IPAM plugin see it? Asked of
 * Debian's containernetworking-plugins 1.1.1 for every chain variant, both as libcni does
 * (runtimeConfig only, to plugins that declare capabilities.mac) and as Multus does (also MAC= in
 * CNI_ARGS), with the MAC read back from the kernel and the IPAM's view read from the lease vmaddr
 * recorded. Then {@code nad lint} must say exactly what was observed: an error where the MAC does not
 * apply under Multus or every pod gets one MAC, no error where it applies. The table is written to
 * target/cni-mac-truth-table.md (docs/cni.md has the copy from this machine).
 */
@RequiresRoot
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class MacTruthTableNetnsTest {
    static final String REQUESTED = "52:54:00:40:00:";
    static final String STATIC_MAC = "52:54:00:4f:4f:4f";

    /** A chain to try: its plugins (capabilities as the NAD declares them); ipam goes into the first. */
    record Variant(String name, String plugins) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant("macvlan", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\"}]"),
            new Variant("macvlan (cap)", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("macvlan + tuning (cap)", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\"},"
                    + "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("macvlan (cap) + tuning", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\",\"capabilities\":{\"mac\":true}},"
                    + "{\"type\":\"tuning\"}]"),
            new Variant("macvlan (cap) + tuning (cap)", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\",\"capabilities\":{\"mac\":true}},"
                    + "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("macvlan + tuning static mac", "[{\"type\":\"macvlan\",\"master\":\"eth1\",\"mode\":\"bridge\"},"
                    + "{\"type\":\"tuning\",\"mac\":\"" + STATIC_MAC + "\"}]"),
            new Variant("bridge", "[{\"type\":\"bridge\",\"bridge\":\"br1\"}]"),
            new Variant("bridge (cap)", "[{\"type\":\"bridge\",\"bridge\":\"br1\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("bridge + tuning (cap)", "[{\"type\":\"bridge\",\"bridge\":\"br1\"},{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("bridge + tuning static mac", "[{\"type\":\"bridge\",\"bridge\":\"br1\"},{\"type\":\"tuning\",\"mac\":\"" + STATIC_MAC + "\"}]"),
            new Variant("ptp (cap)", "[{\"type\":\"ptp\",\"capabilities\":{\"mac\":true}}]"),
            new Variant("ptp + tuning (cap)", "[{\"type\":\"ptp\"},{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}}]"));

    /**
     * What one variant did in one mode, for two pods on one node (each asking for its own MAC).
     *
     * @param applied  both pods' interfaces carry the MAC requested for them
     * @param ipamSaw  the IPAM plugin (vmaddr's lease) recorded the requested MAC for the first pod
     * @param secondPod the second pod's ADD: "ok" or the error message
     */
    record Observation(Variant variant, boolean multus, boolean firstOk, boolean applied, boolean sameMac, boolean ipamSaw,
                       String secondPod) {}

    @TempDir
    Path dir;

    @Test
    void lintSaysWhatTheRealPluginsDo() throws Exception {
        List<Observation> table = new ArrayList<>();
        try (TestServer srv = new TestServer(dir.resolve("data"));
             Forwarder socket = Forwarder.unixToTcp(dir.resolve("api.sock"), "127.0.0.1", URI.create(srv.url).getPort()).start();
             NetnsLab lab = NetnsLab.create()) {
            TestApi.call(srv, "POST", "/api/v1/networks", "{\"name\":\"lan0\",\"cidr\":\"198.18.40.0/24\",\"gateway\":\"198.18.40.1\","
                    + "\"pools\":[\"198.18.40.10-198.18.40.250\"]}");
            Path bin = dir.resolve("bin");
            CniInstaller.install(bin, CniInstaller.currentJava());
            String ipam = "{\"type\":\"vmaddr\",\"network\":\"lan0\",\"server\":\"" + socket.url() + "\",\"tokenFile\":\""
                    + srv.dataDir.resolve("api-token") + "\"}";
            int n = 0;
            for (Variant v : VARIANTS) {
                for (boolean multus : new boolean[] {false, true}) {
                    Netns node = CniChainNetnsTest.node(lab, "n" + n);
                    CniRuntime runtime = new CniRuntime(node, bin, multus);
                    String conf = conflist(v, ipam);
                    List<String> podMacs = new ArrayList<>();
                    List<PluginRun> runs = new ArrayList<>();
                    for (int k = 0; k < 2; k++) {
                        Netns pod = lab.namespace("p" + n + "x" + k);
                        String mac = String.format("%s%02x", REQUESTED, 2 * n + k);
                        Attachment a = new Attachment("c" + n + "x" + k, "/run/netns/" + pod.name(), "net1", Map.of(), mac);
                        PluginRun r = runtime.add(conf, a);
                        runs.add(r);
                        podMacs.add(r.exitCode() == 0 ? linkMac(pod) : null);
                    }
                    String first = String.format("%s%02x", REQUESTED, 2 * n);
                    String second = String.format("%s%02x", REQUESTED, 2 * n + 1);
                    boolean ipamSaw = false;
                    if (runs.get(0).exitCode() == 0) {
                        String ip = runs.get(0).json().at("/ips/0/address").asText().split("/")[0];
                        ipamSaw = first.equals(TestApi.call(srv, "GET", "/api/v1/networks/lan0/leases/" + ip, null).json().path("mac").asText());
                    }
                    table.add(new Observation(v, multus, runs.get(0).exitCode() == 0,
                            first.equals(podMacs.get(0)) && second.equals(podMacs.get(1)),
                            podMacs.get(0) != null && podMacs.get(0).equals(podMacs.get(1)), ipamSaw,
                            runs.get(1).exitCode() == 0 ? "ok" : runs.get(1).json().path("msg").asText()));
                    n++;
                }
            }
        }
        String markdown = markdown(table);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "cni-mac-truth-table.md"), markdown);
        System.out.println(markdown);
        assertLintAgrees(table);
    }

    /** Under Multus (how a NAD is always used): error ⇔ the MAC does not apply or pods share one; no error otherwise. */
    static void assertLintAgrees(List<Observation> table) {
        NadLinter linter = new NadLinter();
        for (Observation o : table) {
            if (!o.multus()) {
                continue;
            }
            Observation libcni = table.stream().filter(x -> x.variant().equals(o.variant()) && !x.multus()).findFirst().orElseThrow();
            LintReport report = linter.lint(nad(o.variant()), List.<NetworkSpec>of());
            List<LintFinding> mac = report.findings().stream().filter(f -> f.rule().startsWith("mac-") || f.rule().equals("macvlan-mac")).toList();
            boolean error = mac.stream().anyMatch(f -> f.severity() == LintFinding.Severity.ERROR);
            // a NAD is used through Multus, but a pod that names no MAC gets libcni's behaviour
            boolean broken = !o.applied() || o.sameMac() || !o.secondPod().equals("ok") || libcni.sameMac()
                    || libcni.firstOk() && !libcni.secondPod().equals("ok");
            assertThat(error).as("%s: lint %s, observed %s", o.variant().name(), mac, o).isEqualTo(broken);
            if (!broken) {
                boolean ipamWarning = mac.stream().anyMatch(f -> f.rule().equals("mac-ipam-blind"));
                // the IPAM plugin misses the final MAC where libcni alone does not hand it to the main plugin
                assertThat(ipamWarning).as("%s: ipam warning %s, libcni %s", o.variant().name(), mac, libcni)
                        .isEqualTo(libcni.applied() && !libcni.ipamSaw());
            }
        }
    }

    static String nad(Variant v) {
        String config = "{\"cniVersion\":\"0.3.1\",\"name\":\"lan0\",\"plugins\":" + withIpam(v, "{}") + "}";
        return "apiVersion: k8s.cni.cncf.io/v1\nkind: NetworkAttachmentDefinition\nmetadata:\n  name: lan0\nspec:\n  config: '"
                + config + "'\n";
    }

    static String conflist(Variant v, String ipam) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"lan0\",\"plugins\":" + withIpam(v, ipam) + "}";
    }

    /** The variant's plugins with {@code ipam} in the first (the main plugin). */
    static String withIpam(Variant v, String ipam) {
        try {
            var plugins = (com.fasterxml.jackson.databind.node.ArrayNode) CniRuntime.JSON.readTree(v.plugins());
            ((com.fasterxml.jackson.databind.node.ObjectNode) plugins.get(0)).set("ipam", CniRuntime.JSON.readTree(ipam));
            return plugins.toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String linkMac(Netns pod) {
        String link = pod.exec("ip", "-o", "link", "show", "net1").orThrow().stdout();
        return link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
    }

    static String markdown(List<Observation> table) {
        StringBuilder b = new StringBuilder("| chain (capabilities.mac) | runtime | MAC applied | IPAM saw it | second pod on the node |\n"
                + "|---|---|---|---|---|\n");
        for (Observation o : table) {
            b.append("| ").append(o.variant().name()).append(" | ").append(o.multus() ? "Multus (runtimeConfig + MAC=)" : "libcni (runtimeConfig)")
                    .append(" | ").append(!o.firstOk() ? "ADD failed" : o.applied() ? "yes" : o.sameMac() ? "no: both pods get one MAC" : "no")
                    .append(" | ").append(o.ipamSaw() ? "yes" : "no")
                    .append(" | ").append(o.secondPod().equals("ok") ? "ok" : "refused: " + o.secondPod()).append(" |\n");
        }
        return b.toString();
    }
}
