package dev.vmaddr.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.TestServer;
import dev.vmaddr.cni.CniRuntime.Attachment;
import dev.vmaddr.cni.CniRuntime.PluginRun;
import dev.vmaddr.testing.Forwarder;
import dev.vmaddr.testing.netns.Netns;
import dev.vmaddr.testing.netns.NetnsLab;
import dev.vmaddr.testing.netns.RequiresRoot;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installed plugin ({@code vmaddr cni install}) under Debian's containernetworking-plugins 1.1.1,
 * exec'd as a runtime does ({@link CniRuntime}): macvlan and bridge chains give the pod its address
 * and default route, CHECK passes, DEL releases, the MAC is read from the pod's interface when
 * nobody names one, and a virt-launcher pod's migration target on another node keeps the address.
 * The plugins run in a node namespace; the API is reached over a unix socket.
 */
@RequiresRoot
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CniChainNetnsTest {
    @TempDir
    Path dir;
    TestServer srv;
    Forwarder socket;
    Path bin;

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        JsonNode made = api("POST", "/api/v1/networks", "{\"name\":\"lan0\",\"cidr\":\"198.18.20.0/24\",\"gateway\":\"198.18.20.1\","
                + "\"dns\":[\"198.18.20.53\"],\"release\":\"on-stop\",\"pools\":[\"198.18.20.10-198.18.20.250\"]}");
        assertThat(made.path("name").asText()).as(made.toString()).isEqualTo("lan0");
        socket = Forwarder.unixToTcp(dir.resolve("api.sock"), "127.0.0.1", URI.create(srv.url).getPort()).start();
        bin = dir.resolve("bin");
        CniInstaller.install(bin, CniInstaller.currentJava());
    }

    @AfterEach
    void stop() throws Exception {
        if (socket != null) {
            socket.close();
        }
        if (srv != null) {
            srv.close();
        }
    }

    String ipam() {
        return "{\"type\":\"vmaddr\",\"network\":\"lan0\",\"server\":\"" + socket.url() + "\",\"tokenFile\":\""
                + srv.dataDir.resolve("api-token") + "\"}";
    }

    @Test
    void macvlanChainAddCheckDel() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns node = node(lab, "node");
            Netns pod = lab.namespace("pod");
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lan0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\","
                    + "\"mode\":\"bridge\",\"capabilities\":{\"mac\":true},\"ipam\":" + ipam() + "}]}";
            CniRuntime runtime = new CniRuntime(node, bin, false);
            Attachment a = new Attachment("c-macvlan", "/run/netns/" + pod.name(), "net1", Map.of(), "52:54:00:20:00:01");

            PluginRun add = runtime.add(conf, a);
            assertThat(add.exitCode()).as(add.stdout() + add.stderr()).isZero();
            String ip = add.json().at("/ips/0/address").asText();
            assertThat(ip).startsWith("198.18.20.").endsWith("/24");
            assertThat(pod.exec("ip", "-o", "-4", "addr", "show", "dev", "net1").orThrow().stdout()).contains("inet " + ip);
            assertThat(pod.exec("ip", "route", "show", "default").orThrow().stdout()).contains("default via 198.18.20.1 dev net1");
            assertThat(pod.exec("ip", "-o", "link", "show", "net1").orThrow().stdout()).contains("link/ether 52:54:00:20:00:01");
            assertThat(lease(ip).path("mac").asText()).isEqualTo("52:54:00:20:00:01");

            PluginRun check = runtime.check(conf, a, add.json());
            assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();

            PluginRun del = runtime.del(conf, a, add.json());
            assertThat(del.exitCode()).as(del.stdout() + del.stderr()).isZero();
            assertThat(lease(ip).path("state").asText()).isEqualTo("released");
            assertThat(pod.exec("ip", "-o", "link", "show", "net1").ok()).isFalse();
            PluginRun delAgain = runtime.del(conf, a, add.json());
            assertThat(delAgain.exitCode()).as(delAgain.stdout() + delAgain.stderr()).isZero();
        }
    }

    /**
     * A network with an {@code ipv6Prefix} (slaac): the ADD result also lists the pod's SLAAC address
     * (EUI-64 of its MAC, the API's {@code ipv6Slaac}), in 1.0.0 and 0.3.1 shapes, and the real macvlan
     * plugin configures it on the pod's interface; CHECK passes with it.
     */
    @Test
    void addResultCarriesThePodsSlaacAddressOnAnIpv6Network() throws Exception {
        JsonNode made = api("POST", "/api/v1/networks", "{\"name\":\"lan6\",\"cidr\":\"198.18.26.0/24\",\"gateway\":\"198.18.26.1\","
                + "\"ipv6Prefix\":\"2001:db8:0:26::/64\",\"release\":\"on-stop\",\"pools\":[\"198.18.26.10-198.18.26.250\"]}");
        assertThat(made.path("name").asText()).as(made.toString()).isEqualTo("lan6");
        String ipam = ipam().replace("\"network\":\"lan0\"", "\"network\":\"lan6\"");
        try (NetnsLab lab = NetnsLab.create()) {
            Netns node = node(lab, "node");
            Netns pod = lab.namespace("pod");
            Netns old = lab.namespace("old");
            CniRuntime runtime = new CniRuntime(node, bin, false);
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lan6\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\","
                    + "\"mode\":\"bridge\",\"capabilities\":{\"mac\":true},\"ipam\":" + ipam + "}]}";
            Attachment a = new Attachment("c-v6", "/run/netns/" + pod.name(), "net1", Map.of(), "52:54:00:20:06:01");
            PluginRun add = runtime.add(conf, a);
            assertThat(add.exitCode()).as(add.stdout() + add.stderr()).isZero();
            assertThat(add.json().at("/ips/0/address").asText()).startsWith("198.18.26.");
            assertThat(add.json().at("/ips/1/address").asText()).isEqualTo("2001:db8:0:26:5054:ff:fe20:601/64");
            assertThat(add.json().at("/ips/1/gateway").isMissingNode()).isTrue();
            assertThat(pod.exec("ip", "-o", "-6", "addr", "show", "dev", "net1", "scope", "global").orThrow().stdout())
                    .contains("inet6 2001:db8:0:26:5054:ff:fe20:601/64");
            PluginRun check = runtime.check(conf, a, add.json());
            assertThat(check.exitCode()).as(check.stdout() + check.stderr()).isZero();
            assertThat(runtime.del(conf, a, add.json()).exitCode()).isZero();

            String conf031 = conf.replace("\"1.0.0\"", "\"0.3.1\"");
            Attachment b = new Attachment("c-v6-old", "/run/netns/" + old.name(), "net1", Map.of(), "52:54:00:20:06:02");
            PluginRun add031 = runtime.add(conf031, b);
            assertThat(add031.exitCode()).as(add031.stdout() + add031.stderr()).isZero();
            assertThat(add031.json().at("/ips/1/version").asText()).isEqualTo("6");
            assertThat(add031.json().at("/ips/1/address").asText()).isEqualTo("2001:db8:0:26:5054:ff:fe20:602/64");
            assertThat(runtime.del(conf031, b, add031.json()).exitCode()).isZero();
        }
    }

    @Test
    void bridgeChainWithTuningAndTheMacReadFromTheInterface() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns node = lab.namespace("node");
            Netns pod = lab.namespace("pod");
            String conf = "{\"cniVersion\":\"0.3.1\",\"name\":\"lan0\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"br-lan0\","
                    + "\"ipam\":" + ipam() + "},{\"type\":\"tuning\"}]}";
            CniRuntime runtime = new CniRuntime(node, bin, false);
            Attachment a = new Attachment("c-bridge", "/run/netns/" + pod.name(), "eth0", Map.of(), null);

            PluginRun add = runtime.add(conf, a);
            assertThat(add.exitCode()).as(add.stdout() + add.stderr()).isZero();
            String ip = add.json().at("/ips/0/address").asText();
            assertThat(add.json().path("cniVersion").asText()).isEqualTo("0.3.1");
            assertThat(pod.exec("ip", "-o", "-4", "addr", "show", "dev", "eth0").orThrow().stdout()).contains("inet " + ip);
            assertThat(pod.exec("ip", "route", "show", "default").orThrow().stdout()).contains("default via 198.18.20.1 dev eth0");
            String link = pod.exec("ip", "-o", "link", "show", "eth0").orThrow().stdout();
            String podMac = link.replaceAll("(?s).*link/ether ([0-9a-f:]{17}).*", "$1");
            assertThat(lease(ip).path("mac").asText()).isEqualTo(podMac);

            assertThat(runtime.del(conf, a, add.json()).exitCode()).isZero();
            assertThat(lease(ip).path("state").asText()).isEqualTo("released");
        }
    }

    @Test
    void virtLauncherMigrationTargetOnAnotherNodeKeepsTheAddress() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns nodeA = node(lab, "nodea");
            Netns nodeB = node(lab, "nodeb");
            Netns source = lab.namespace("src");
            Netns target = lab.namespace("dst");
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lan0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\","
                    + "\"mode\":\"bridge\",\"capabilities\":{\"mac\":true},\"ipam\":" + ipam() + "}]}";
            String mac = "52:54:00:20:00:99";
            Attachment src = new Attachment("c-src", "/run/netns/" + source.name(), "net1",
                    Map.of("K8S_POD_NAMESPACE", "vms", "K8S_POD_NAME", "virt-launcher-db1-x7k2p"), mac);
            Attachment dst = new Attachment("c-dst", "/run/netns/" + target.name(), "net1",
                    Map.of("K8S_POD_NAMESPACE", "vms", "K8S_POD_NAME", "virt-launcher-db1-q9w8z"), mac);
            CniRuntime onA = new CniRuntime(nodeA, bin, true);
            CniRuntime onB = new CniRuntime(nodeB, bin, true);

            PluginRun first = onA.add(conf, src);
            PluginRun second = onB.add(conf, dst);
            assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
            assertThat(second.exitCode()).as(second.stdout() + second.stderr()).isZero();
            String ip = first.json().at("/ips/0/address").asText();
            assertThat(second.json().at("/ips/0/address").asText()).isEqualTo(ip);
            assertThat(onA.del(conf, src, first.json()).exitCode()).isZero();
            assertThat(lease(ip).path("state").asText()).isEqualTo("bound");
            assertThat(target.exec("ip", "-o", "-4", "addr", "show", "dev", "net1").orThrow().stdout()).contains("inet " + ip);
            assertThat(onB.del(conf, dst, second.json()).exitCode()).isZero();
            assertThat(lease(ip).path("state").asText()).isEqualTo("released"); // lan0 is on-stop
        }
    }

    /**
     * CNI 1.1 through the installed executable over the unix socket, as a main plugin delegates to its
     * IPAM: STATUS is ready while the API answers and 50 when it does not; GC gives back the address
     * of a pod the runtime no longer lists (its DEL was lost with its namespace) and keeps the listed one.
     */
    @Test
    void statusAndGcOfTheInstalledPlugin() throws Exception {
        try (NetnsLab lab = NetnsLab.create()) {
            Netns node = node(lab, "node");
            Netns kept = lab.namespace("kept");
            Netns lost = lab.namespace("lost");
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lan0\",\"plugins\":[{\"type\":\"macvlan\",\"master\":\"eth1\","
                    + "\"mode\":\"bridge\",\"capabilities\":{\"mac\":true},\"ipam\":" + ipam() + "}]}";
            CniRuntime runtime = new CniRuntime(node, bin, false);
            Attachment a = new Attachment("c-kept", "/run/netns/" + kept.name(), "net1", Map.of(), "52:54:00:20:01:01");
            Attachment b = new Attachment("c-lost", "/run/netns/" + lost.name(), "net1", Map.of(), "52:54:00:20:01:02");
            String ipA = runtime.add(conf, a).json().at("/ips/0/address").asText();
            String ipB = runtime.add(conf, b).json().at("/ips/0/address").asText();
            assertThat(lease(ipB).path("state").asText()).isEqualTo("bound");

            PluginRun status = runtime.delegate("STATUS", "lan0", ipam(), null);
            assertThat(status.exitCode()).as(status.stdout() + status.stderr()).isZero();
            assertThat(status.stdout()).isEmpty();

            PluginRun gc = runtime.delegate("GC", "lan0", ipam(), List.of(a));
            assertThat(gc.exitCode()).as(gc.stdout() + gc.stderr()).isZero();
            assertThat(gc.stdout()).isEmpty();
            assertThat(lease(ipA).path("state").asText()).isEqualTo("bound");
            assertThat(lease(ipB).path("state").asText()).isEqualTo("released");
            assertThat(runtime.delegate("GC", "lan0", ipam(), List.of(a)).exitCode()).as("GC again: nothing left to do").isZero();

            socket.close(); // the API is gone from the node's view
            PluginRun down = runtime.delegate("STATUS", "lan0", ipam(), null);
            assertThat(down.exitCode()).isNotZero();
            assertThat(down.json().path("code").asInt()).as(down.stdout()).isEqualTo(50);
            socket = null;
        }
    }

    /** A node: its own namespace with the master interface (one end of a veth pair: the kernel here has no dummy links). */
    static Netns node(NetnsLab lab, String name) {
        Netns node = lab.namespace(name);
        node.exec("ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth1peer").orThrow();
        node.exec("ip", "link", "set", "eth1", "up").orThrow();
        node.exec("ip", "link", "set", "eth1peer", "up").orThrow();
        return node;
    }

    JsonNode lease(String cidr) throws Exception {
        return api("GET", "/api/v1/networks/lan0/leases/" + cidr.split("/")[0], null);
    }

    JsonNode api(String method, String path, String body) throws Exception {
        return TestApi.call(srv, method, path, body).json();
    }
}
