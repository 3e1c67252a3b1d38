package dev.vmaddr.cni.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.api.TestServer;
import dev.vmaddr.cni.TestApi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's protocol against a real server over HTTP: every CNI command, every result format,
 * every error code, the holder rules. The plugin's code runs in this JVM ({@link CniPlugin#run},
 * what {@code main} calls after reading stdin); CniChainNetnsTest runs the installed executable
 * under Debian's plugins.
 */
class CniPluginTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    TestServer srv;

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        network("{\"name\":\"p1\",\"cidr\":\"198.18.8.0/24\",\"gateway\":\"198.18.8.1\",\"dns\":[\"198.18.8.53\"],"
                + "\"domain\":\"lab.example\",\"release\":\"on-stop\",\"pools\":[\"198.18.8.10-198.18.8.250\"]}");
        network("{\"name\":\"keep\",\"cidr\":\"198.18.9.0/24\",\"gateway\":\"198.18.9.1\",\"release\":\"on-delete\","
                + "\"pools\":[\"198.18.9.10-198.18.9.250\"]}");
        network("{\"name\":\"tiny\",\"cidr\":\"198.18.10.0/24\",\"pools\":[\"198.18.10.10-198.18.10.11\"]}");
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    @Test
    void addIsIdempotentAndPrintsTheNetworkInTheConfigsVersion() throws Exception {
        Out first = run("ADD", config("1.0.0", "p1"), env("c1", "net1", "MAC=52:54:00:00:01:01"));
        Out again = run("ADD", config("1.0.0", "p1"), env("c1", "net1", "MAC=52:54:00:00:01:01"));
        Out old = run("ADD", config("0.3.1", "p1"), env("c2", "net1", "MAC=52:54:00:00:01:02"));

        assertThat(first.rc).as(first.text).isZero();
        JsonNode r = first.json();
        assertThat(r.get("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(r.at("/ips/0/address").asText()).startsWith("198.18.8.").endsWith("/24");
        assertThat(r.at("/ips/0/gateway").asText()).isEqualTo("198.18.8.1");
        assertThat(r.at("/ips/0/version").isMissingNode()).isTrue();
        assertThat(r.at("/routes/0/dst").asText()).isEqualTo("0.0.0.0/0");
        assertThat(r.at("/routes/0/gw").asText()).isEqualTo("198.18.8.1");
        assertThat(r.at("/dns/nameservers/0").asText()).isEqualTo("198.18.8.53");
        assertThat(r.at("/dns/domain").asText()).isEqualTo("lab.example");
        assertThat(again.json()).isEqualTo(r);
        assertThat(old.json().get("cniVersion").asText()).isEqualTo("0.3.1");
        assertThat(old.json().at("/ips/0/version").asText()).isEqualTo("4");
        assertThat(old.json().at("/ips/0/address").asText()).isNotEqualTo(r.at("/ips/0/address").asText());
        JsonNode lease = api("GET", "/api/v1/networks/p1/leases/" + ip(r), null).json();
        assertThat(lease.get("mac").asText()).isEqualTo("52:54:00:00:01:01");
        assertThat(lease.get("state").asText()).isEqualTo("bound");
    }

    @Test
    void runtimeConfigMacWinsOverCniArgs() throws Exception {
        Map<String, Object> conf = config("1.0.0", "p1");
        conf.put("runtimeConfig", Map.of("mac", "52:54:00:00:02:02"));
        Out r = run("ADD", conf, env("c1", "net1", "MAC=52:54:00:00:02:99"));

        assertThat(api("GET", "/api/v1/networks/p1/leases/" + ip(r.json()), null).json().get("mac").asText())
                .isEqualTo("52:54:00:00:02:02");
    }

    @Test
    void checkPassesForTheCachedResultAndFailsOtherwise() throws Exception {
        Out add = run("ADD", config("1.0.0", "p1"), env("c1", "net1", "MAC=52:54:00:00:03:01"));
        Map<String, Object> withPrev = config("1.0.0", "p1");
        withPrev.put("prevResult", JSON.readValue(add.text, Map.class));
        Map<String, Object> wrongPrev = config("1.0.0", "p1");
        wrongPrev.put("prevResult", Map.of("ips", List.of(Map.of("address", "198.18.8.254/24"))));

        Out ok = run("CHECK", withPrev, env("c1", "net1", ""));
        Out mismatch = run("CHECK", wrongPrev, env("c1", "net1", ""));
        Out unknown = run("CHECK", withPrev, env("c9", "net1", ""));

        assertThat(ok.rc).as(ok.text).isZero();
        assertThat(ok.text).isEmpty();
        assertThat(mismatch.code()).isEqualTo(102);
        assertThat(unknown.code()).isEqualTo(102);
    }

    @Test
    void delReleasesAndDelOfUnknownSucceeds() throws Exception {
        Out add = run("ADD", config("0.4.0", "p1"), env("c1", "net1", "MAC=52:54:00:00:04:01"));
        String ip = ip(add.json());

        Out del = run("DEL", config("0.4.0", "p1"), env("c1", "net1", ""));
        Out delAgain = run("DEL", config("0.4.0", "p1"), env("c1", "net1", ""));
        Out delNever = run("DEL", config("0.4.0", "p1"), env("never-added", "eth0", ""));
        Out delGoneNetwork = run("DEL", config("0.4.0", "nope"), env("c1", "net1", ""));

        assertThat(List.of(del, delAgain, delNever, delGoneNetwork)).allSatisfy(o -> {
            assertThat(o.rc).as(o.text).isZero();
            assertThat(o.text).isEmpty();
        });
        assertThat(api("GET", "/api/v1/networks/p1/leases/" + ip, null).json().get("state").asText()).isEqualTo("released");
    }

    @Test
    void errorsAreCniErrorJsonWithTheProductsCodes() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> unreachable = config("1.0.0", "p1");
        ((Map<String, Object>) unreachable.get("ipam")).put("server", "http://127.0.0.1:" + closedPort);
        Map<String, Object> noNetwork = config("1.0.0", "p1");
        ((Map<String, Object>) noNetwork.get("ipam")).remove("network");
        Map<String, Object> badServer = config("1.0.0", "p1");
        ((Map<String, Object>) badServer.get("ipam")).put("server", "ftp://x");
        Map<String, Object> badToken = config("1.0.0", "p1");
        ((Map<String, Object>) badToken.get("ipam")).put("tokenFile", dir.resolve("no-such-token").toString());
        Map<String, Object> oldVersion = config("0.2.0", "p1");
        Map<String, String> ok = env("c1", "net1", "MAC=52:54:00:00:05:01");

        assertThat(run("ADD", config("1.0.0", "nope"), ok).code()).isEqualTo(7);
        assertThat(run("ADD", noNetwork, ok).code()).isEqualTo(7);
        assertThat(run("ADD", badServer, ok).code()).isEqualTo(7);
        assertThat(run("ADD", badToken, ok).code()).isEqualTo(7);
        assertThat(run("ADD", unreachable, ok).code()).isEqualTo(11);
        assertThat(run("DEL", unreachable, ok).code()).isEqualTo(11);
        assertThat(run("ADD", oldVersion, ok).code()).isEqualTo(1);
        assertThat(run("ADD", config("1.0.0", "p1"), env("c1", "net1", "MAC=not-a-mac")).code()).isEqualTo(7);
        assertThat(run("ADD", config("1.0.0", "p1"), Map.of("CNI_COMMAND", "ADD")).code()).isEqualTo(4);
        Out notJson = runRaw(Map.of("CNI_COMMAND", "ADD"), "{not json");
        assertThat(notJson.code()).isEqualTo(6);
        assertThat(notJson.json().get("msg").asText()).contains("not JSON");

        assertThat(run("ADD", config("1.0.0", "tiny"), env("t1", "net1", "MAC=52:54:00:00:06:01")).rc).isZero();
        assertThat(run("ADD", config("1.0.0", "tiny"), env("t2", "net1", "MAC=52:54:00:00:06:02")).rc).isZero();
        Out exhausted = run("ADD", config("1.0.0", "tiny"), env("t3", "net1", "MAC=52:54:00:00:06:03"));
        assertThat(exhausted.code()).isEqualTo(101);
        assertThat(exhausted.json().get("cniVersion").asText()).isEqualTo("1.0.0");
    }

    @Test
    void versionListsTheSupportedVersions() throws Exception {
        Out v = runRaw(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertThat(v.json().get("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]");
    }

    @Test
    void virtLauncherMigrationTargetKeepsTheVmsAddressUntilTheLastPodGoes() throws Exception {
        String pod = "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=";
        Out source = run("ADD", config("1.0.0", "p1"), env("src", "net1", pod + "virt-launcher-vm1-abcde;MAC=52:54:00:00:07:01"));
        Out target = run("ADD", config("1.0.0", "p1"), env("dst", "net1", pod + "virt-launcher-vm1-fghij;MAC=52:54:00:00:07:01"));
        Out other = run("ADD", config("1.0.0", "p1"), env("oth", "net1", pod + "virt-launcher-vm2-abcde;MAC=52:54:00:00:07:02"));
        String ip = ip(source.json());
        assertThat(ip(target.json())).isEqualTo(ip);
        assertThat(ip(other.json())).isNotEqualTo(ip);

        assertThat(run("DEL", config("1.0.0", "p1"), env("src", "net1", pod + "virt-launcher-vm1-abcde")).rc).isZero();
        assertThat(state("p1", ip)).isEqualTo("bound");
        Out restarted = run("ADD", config("1.0.0", "p1"), env("dst", "net1", pod + "virt-launcher-vm1-fghij;MAC=52:54:00:00:07:01"));
        assertThat(ip(restarted.json())).isEqualTo(ip);
        // last pod of the VM gone: on-stop gives the address back
        assertThat(run("DEL", config("1.0.0", "p1"), env("dst", "net1", pod + "virt-launcher-vm1-fghij")).rc).isZero();
        assertThat(state("p1", ip)).isEqualTo("released");

        // on-delete keeps it across the last DEL; the VM's deletion gives it back
        Out kept = run("ADD", config("1.0.0", "keep"), env("k1", "net1", pod + "virt-launcher-vm3-abcde;MAC=52:54:00:00:07:03"));
        String keptIp = ip(kept.json());
        assertThat(run("DEL", config("1.0.0", "keep"), env("k1", "net1", pod + "virt-launcher-vm3-abcde")).rc).isZero();
        assertThat(state("keep", keptIp)).isEqualTo("bound");
        Out back = run("ADD", config("1.0.0", "keep"), env("k2", "net1", pod + "virt-launcher-vm3-zzzzz;MAC=52:54:00:00:07:03"));
        assertThat(ip(back.json())).isEqualTo(keptIp);
        assertThat(api("DELETE", "/api/v1/cni/vms/ns1/vm3", null).status()).isEqualTo(204);
        assertThat(state("keep", keptIp)).isEqualTo("released");
    }

    @Test
    void fiftyConcurrentAddsGetFiftyAddresses() throws Exception {
        List<Future<Out>> outs;
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            outs = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                outs.add(pool.submit(() -> run("ADD", config("1.0.0", "p1"),
                        env("pod" + n, "net1", String.format("MAC=52:54:00:00:08:%02x", n)))));
            }
        }
        Set<String> ips = new HashSet<>();
        for (Future<Out> f : outs) {
            Out o = f.get();
            assertThat(o.rc).as(o.text).isZero();
            ips.add(ip(o.json()));
        }
        assertThat(ips).hasSize(50);
        assertThat(api("GET", "/api/v1/networks/p1/stats", null).json().toString()).contains("\"used\":50");
    }

    @Test
    void twoHundredAddDelCyclesLeaveNothingHeld() throws Exception {
        for (int i = 0; i < 200; i++) {
            Out add = run("ADD", config("1.0.0", "tiny"), env("cycle" + i, "net1", String.format("MAC=52:54:00:00:09:%02x", i % 256)));
            assertThat(add.rc).as("cycle %d: %s", i, add.text).isZero();
            assertThat(run("DEL", config("1.0.0", "tiny"), env("cycle" + i, "net1", "")).rc).isZero();
        }
        assertThat(api("GET", "/api/v1/networks/tiny/stats", null).json().toString()).contains("\"used\":0");
    }

    /** CNI 1.1 STATUS: ready only when an ADD could work now; 50 otherwise; refused for older configs. */
    @Test
    @SuppressWarnings("unchecked")
    void statusSaysWhetherAnAddCouldWork() throws Exception {
        Map<String, String> noContainer = Map.of("CNI_PATH", "/usr/lib/cni");
        Out ready = run("STATUS", config("1.1.0", "p1"), noContainer);
        assertThat(ready.rc).as(ready.text).isZero();
        assertThat(ready.text).isEmpty();
        assertThat(run("STATUS", config("1.0.0", "p1"), noContainer).code()).as("a 1.0.0 config has no STATUS").isEqualTo(1);
        assertThat(run("STATUS", config("1.1.0", "nope"), noContainer).code()).isEqualTo(50);

        assertThat(run("ADD", config("1.1.0", "tiny"), env("t1", "net1", "MAC=52:54:00:00:0a:01")).rc).isZero();
        assertThat(run("STATUS", config("1.1.0", "tiny"), noContainer).rc).as("one address left").isZero();
        assertThat(run("ADD", config("1.1.0", "tiny"), env("t2", "net1", "MAC=52:54:00:00:0a:02")).rc).isZero();
        Out full = run("STATUS", config("1.1.0", "tiny"), noContainer);
        assertThat(full.code()).isEqualTo(50);
        assertThat(full.json().get("msg").asText()).contains("no free address");

        Map<String, Object> unreachable = config("1.1.0", "p1");
        try (ServerSocket closed = new ServerSocket(0)) {
            ((Map<String, Object>) unreachable.get("ipam")).put("server", "http://127.0.0.1:" + closed.getLocalPort());
        }
        assertThat(run("STATUS", unreachable, noContainer).code()).isEqualTo(50);
    }

    /**
     * CNI 1.1 GC: a plain pod's address whose attachment the runtime does not list goes back; listed
     * ones, VMs' (their release policy decides), other networks' and non-CNI leases stay.
     */
    @Test
    void gcReleasesUnlistedPodAttachmentsOnly() throws Exception {
        String kept = ip(run("ADD", config("1.1.0", "p1"), env("c1", "net1", "MAC=52:54:00:00:0b:01")).json());
        String stale = ip(run("ADD", config("1.1.0", "p1"), env("c2", "net1", "MAC=52:54:00:00:0b:02")).json());
        String staleOtherIf = ip(run("ADD", config("1.1.0", "p1"), env("c1", "net2", "MAC=52:54:00:00:0b:03")).json());
        String vm = ip(run("ADD", config("1.1.0", "p1"), env("v1", "net1",
                "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=virt-launcher-vm9-abcde;MAC=52:54:00:00:0b:04")).json());
        String otherNetwork = ip(run("ADD", config("1.1.0", "keep"), env("c2", "net1", "MAC=52:54:00:00:0b:05")).json());
        TestApi api = api("POST", "/api/v1/networks/p1/allocations", "{\"mac\":\"52:54:00:00:0b:06\"}");
        String byApi = api.json().get("ip").asText();

        Map<String, Object> gc = config("1.1.0", "p1");
        gc.put("cni.dev/valid-attachments", List.of(Map.of("containerID", "c1", "ifname", "net1")));
        Out done = run("GC", gc, Map.of("CNI_PATH", "/usr/lib/cni"));

        assertThat(done.rc).as(done.text).isZero();
        assertThat(done.text).isEmpty();
        assertThat(state("p1", kept)).isEqualTo("bound");
        assertThat(state("p1", stale)).isEqualTo("released");
        assertThat(state("p1", staleOtherIf)).isEqualTo("released");
        assertThat(state("p1", vm)).isEqualTo("bound");
        assertThat(state("keep", otherNetwork)).isEqualTo("bound");
        assertThat(state("p1", byApi)).isEqualTo("bound");

        Map<String, Object> draftName = config("1.1.0", "p1"); // libcni also sends the list under a draft's name
        draftName.put("cni.dev/attachments", List.of());
        assertThat(run("GC", draftName, Map.of()).rc).isZero();
        assertThat(state("p1", kept)).isEqualTo("released");
        assertThat(state("p1", vm)).isEqualTo("bound");

        Map<String, Object> old = config("1.0.0", "p1");
        old.put("cni.dev/valid-attachments", List.of());
        assertThat(run("GC", old, Map.of()).code()).isEqualTo(1);
        assertThat(run("GC", config("1.1.0", "p1"), Map.of()).code()).as("no list").isEqualTo(7);
        Map<String, Object> bad = config("1.1.0", "p1");
        bad.put("cni.dev/valid-attachments", List.of(Map.of("containerID", "c1")));
        assertThat(run("GC", bad, Map.of()).code()).isEqualTo(6);
        Map<String, Object> gone = config("1.1.0", "nope");
        gone.put("cni.dev/valid-attachments", List.of());
        assertThat(run("GC", gone, Map.of()).rc).as("a network that is gone holds nothing").isZero();
    }

    // ------------------------------------------------------------------ helpers

    record Out(int rc, String text) {
        JsonNode json() throws Exception {
            return JSON.readTree(text);
        }

        int code() throws Exception {
            assertThat(rc).as(text).isNotZero();
            return json().get("code").asInt();
        }
    }

    Map<String, Object> config(String version, String network) {
        Map<String, Object> ipam = new HashMap<>(Map.of("type", "vmaddr", "network", network, "server", srv.url,
                "tokenFile", srv.dataDir.resolve("api-token").toString()));
        return new HashMap<>(Map.of("cniVersion", version, "name", network, "type", "macvlan", "ipam", ipam));
    }

    static Map<String, String> env(String container, String ifname, String args) {
        return Map.of("CNI_CONTAINERID", container, "CNI_IFNAME", ifname, "CNI_ARGS", args, "CNI_NETNS", "");
    }

    Out run(String command, Map<String, Object> conf, Map<String, String> env) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("CNI_COMMAND", command);
        return runRaw(e, JSON.writeValueAsString(conf));
    }

    static Out runRaw(Map<String, String> env, String stdin) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = CniPlugin.run(env, stdin.getBytes(StandardCharsets.UTF_8), new PrintStream(buf, true, StandardCharsets.UTF_8));
        return new Out(rc, buf.toString(StandardCharsets.UTF_8).strip());
    }

    static String ip(JsonNode result) {
        return result.at("/ips/0/address").asText().split("/")[0];
    }

    String state(String network, String ip) throws Exception {
        return api("GET", "/api/v1/networks/" + network + "/leases/" + ip, null).json().get("state").asText();
    }

    void network(String body) throws Exception {
        TestApi a = api("POST", "/api/v1/networks", body);
        assertThat(a.status()).as(a.json().toString()).isEqualTo(201);
    }

    TestApi api(String method, String path, String body) throws Exception {
        return TestApi.call(srv, method, path, body);
    }
}
