package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The VM routes over real HTTP against a real server (embedded store, engine, MAC pool). */
class VmRoutesTest {
    @TempDir
    Path dir;
    TestServer srv;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        srv = new TestServer(dir.resolve("data"));
        HttpAnswer n = call("POST", "/api/v1/networks", """
                {"name":"t1","cidr":"198.18.4.0/24","gateway":"198.18.4.1","bridge":"br-t1","mtu":1500,
                 "ipv6Prefix":"2001:db8:0:4::/64","release":"on-stop","pools":["198.18.4.10-198.18.4.250"]}""");
        assertThat(n.status()).as(n.text()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    HttpAnswer call(String method, String path, String body) throws Exception {
        return HttpAnswer.send(http, srv, method, path, body, null, srv.token);
    }

    @Test
    void cloneOfCopiesTheNicsWithNewMacsOrTakesTheStoppedSourcesWithKeepMacs() throws Exception {
        JsonNode src = call("POST", "/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\"}]}").json();
        HttpAnswer copy = call("POST", "/api/v1/vms", "{\"name\":\"web2\",\"cloneOf\":\"web1\"}");
        assertThat(copy.status()).as(copy.text()).isEqualTo(201);
        assertThat(copy.json().get("host").asText()).isEqualTo("hv1");
        assertThat(copy.json().at("/nics/0/name").asText()).isEqualTo("nic0");
        assertThat(copy.json().at("/nics/0/network").asText()).isEqualTo("t1");
        assertThat(copy.json().at("/nics/0/mac").asText()).isNotEqualTo(src.at("/nics/0/mac").asText());
        assertThat(copy.json().at("/nics/0/ip").asText()).isNotEqualTo(src.at("/nics/0/ip").asText());

        HttpAnswer both = call("POST", "/api/v1/vms", "{\"name\":\"web3\",\"cloneOf\":\"web1\",\"nics\":[]}");
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.text()).contains("nics");
        assertThat(call("POST", "/api/v1/vms", "{\"name\":\"web3\",\"cloneOf\":\"nope\"}").status()).isEqualTo(400);
        assertThat(call("POST", "/api/v1/vms", "{\"name\":\"web3\",\"keepMacs\":true,\"nics\":[]}").status()).isEqualTo(400);

        assertThat(call("POST", "/api/v1/vms/web1/start", null).status()).isEqualTo(200);
        HttpAnswer running = call("POST", "/api/v1/vms", "{\"name\":\"web1-restored\",\"cloneOf\":\"web1\",\"keepMacs\":true}");
        assertThat(running.status()).as(running.text()).isEqualTo(409);
        assertThat(running.text()).contains("stop it first");
        // an on-stop network: the stopped source has given its MAC back, so the copy gets a fresh one
        assertThat(call("POST", "/api/v1/vms/web1/stop", null).status()).isEqualTo(200);
        HttpAnswer restored = call("POST", "/api/v1/vms", "{\"name\":\"web1-restored\",\"cloneOf\":\"web1\",\"keepMacs\":true}");
        assertThat(restored.status()).as(restored.text()).isEqualTo(201);
        assertThat(restored.json().at("/nics/0/mac").asText()).startsWith("52:54:00:");
    }

    @Test
    void createShowsTheFixedShapeThenMacChangeDriftAndRestart() throws Exception {
        HttpAnswer created = call("POST", "/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\",\"mac\":null}]}");
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode vm = created.json();
        assertThat(vm.get("name").asText()).isEqualTo("web1");
        assertThat(vm.get("state").asText()).isEqualTo("stopped");
        JsonNode nic = vm.get("nics").get(0);
        assertThat(nic.fieldNames()).toIterable()
                .containsExactly("name", "network", "mac", "pendingMac", "ip", "ipv6Slaac", "ipv6", "observed");
        String mac = nic.get("mac").asText();
        String ip = nic.get("ip").asText();
        assertThat(mac).startsWith("52:54:00:");
        assertThat(nic.get("ipv6Slaac").asText()).startsWith("2001:db8:0:4:5054:");
        assertThat(nic.get("pendingMac").isNull()).isTrue();

        assertThat(call("POST", "/api/v1/vms/web1/start", null).status()).isEqualTo(200);
        HttpAnswer set = call("PUT", "/api/v1/vms/web1/nics/nic0/mac", "{\"mac\":\"52-54-00-AA-BB-CC\"}");
        assertThat(set.status()).as(set.text()).isEqualTo(200);
        assertThat(set.json().get("mac").asText()).isEqualTo(mac);
        assertThat(set.json().get("pendingMac").asText()).isEqualTo("52:54:00:aa:bb:cc");

        HttpAnswer observed = call("POST", "/api/v1/vms/web1/observed", "{\"source\":\"qemu-guest-agent\",\"interfaces\":[{\"name\":\"eth0\","
                + "\"hardware-address\":\"" + mac + "\",\"ip-addresses\":[{\"ip-address-type\":\"ipv4\",\"ip-address\":\"" + ip
                + "\",\"prefix\":24}]}]}");
        assertThat(observed.status()).as(observed.text()).isEqualTo(200);
        assertThat(observed.json().at("/nics/0/observed/source").asText()).isEqualTo("qemu-guest-agent");

        JsonNode drift = call("GET", "/api/v1/vms/web1/drift", null).json();
        assertThat(drift.get("vm").asText()).isEqualTo("web1");
        assertThat(drift.get("findings")).hasSize(1);
        JsonNode f = drift.get("findings").get(0);
        assertThat(f.fieldNames()).toIterable().containsExactly("nic", "kind", "expected", "observed", "fix");
        assertThat(f.get("kind").asText()).isEqualTo("pending-change");

        JsonNode restarted = call("POST", "/api/v1/vms/web1/restart", null).json();
        assertThat(restarted.at("/nics/0/mac").asText()).isEqualTo("52:54:00:aa:bb:cc");
        assertThat(restarted.at("/nics/0/ip").asText()).isEqualTo(ip);
        assertThat(call("GET", "/api/v1/vms/web1/drift", null).json().get("findings")).isEmpty();
        assertThat(call("GET", "/metrics", null).text()).contains("vmaddr_vm_drift_total{kind=\"pending-change\"} 1.0");

        JsonNode reservations = call("GET", "/api/v1/networks/t1/reservations", null).json();
        assertThat(reservations).hasSize(1);
        assertThat(reservations.get(0).get("mac").asText()).isEqualTo("52:54:00:aa:bb:cc");
    }

    @Test
    void stopOnAnOnStopNetworkGivesBackAndDeleteIs204() throws Exception {
        call("POST", "/api/v1/vms", "{\"name\":\"eph\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\"}]}");
        call("POST", "/api/v1/vms/eph/start", null);
        JsonNode stopped = call("POST", "/api/v1/vms/eph/stop", null).json();
        assertThat(stopped.at("/nics/0/mac").isNull()).isTrue();
        assertThat(stopped.at("/nics/0/ip").isNull()).isTrue();
        assertThat(call("GET", "/api/v1/networks/t1/reservations", null).json()).isEmpty();
        assertThat(call("DELETE", "/api/v1/vms/eph", null).status()).isEqualTo(204);
        assertThat(call("GET", "/api/v1/vms/eph", null).status()).isEqualTo(404);
    }

    @Test
    void exportsHaveTheirMediaTypes() throws Exception {
        call("POST", "/api/v1/vms", "{\"name\":\"web1\",\"host\":\"hv1\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\",\"mac\":\"02:18:00:00:00:01\"}]}");
        HttpAnswer libvirt = call("GET", "/api/v1/vms/web1/export?format=libvirt", null);
        assertThat(libvirt.status()).as(libvirt.text()).isEqualTo(200);
        assertThat(libvirt.contentType()).startsWith("application/xml");
        assertThat(libvirt.text()).contains("<mac address=\"02:18:00:00:00:01\"/>");
        HttpAnswer qemu = call("GET", "/api/v1/vms/web1/export?format=qemu", null);
        assertThat(qemu.contentType()).startsWith("text/plain");
        assertThat(qemu.text()).isEqualTo("-nic bridge,br=br-t1,mac=02:18:00:00:00:01,model=virtio-net-pci\n");
        HttpAnswer kubevirt = call("GET", "/api/v1/vms/web1/export?format=kubevirt&cni=macvlan", null);
        assertThat(kubevirt.contentType()).startsWith("application/yaml");
        List<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(kubevirt.text()).readAll();
        assertThat(docs).extracting(d -> d.get("kind").asText()).containsExactly("VirtualMachine", "NetworkAttachmentDefinition");
        assertThat(docs.get(1).at("/spec/config").asText()).contains("\"tuning\"");

        HttpAnswer net = call("GET", "/api/v1/networks/t1/export?format=libvirt", null);
        assertThat(net.contentType()).startsWith("application/xml");
        assertThat(net.text()).contains("<host ip=\"" + call("GET", "/api/v1/vms/web1", null).json().at("/nics/0/ip").asText() + "\"");
        HttpAnswer nad = call("GET", "/api/v1/networks/t1/export?format=nad", null);
        assertThat(nad.contentType()).startsWith("application/yaml");
        assertThat(new YAMLMapper().readTree(nad.text()).get("kind").asText()).isEqualTo("NetworkAttachmentDefinition");
        assertThat(call("GET", "/api/v1/vms/web1/export?format=vmx", null).status()).isEqualTo(400);
    }

    @Test
    void badInputTakenMacsAndUnknownNamesAreProblems() throws Exception {
        HttpAnswer bad = call("POST", "/api/v1/vms", "{\"name\":\"w\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\",\"mac\":\"01:00:5e:00:00:01\"}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(bad.text()).contains("nics[0].mac");
        HttpAnswer unknownKey = call("POST", "/api/v1/vms", "{\"name\":\"w\",\"colour\":\"red\"}");
        assertThat(unknownKey.status()).isEqualTo(400);
        assertThat(unknownKey.text()).contains("colour");
        call("POST", "/api/v1/vms", "{\"name\":\"a\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\",\"mac\":\"02:18:00:00:00:09\"}]}");
        HttpAnswer taken = call("POST", "/api/v1/vms", "{\"name\":\"b\",\"nics\":[{\"name\":\"nic0\",\"network\":\"t1\",\"mac\":\"02:18:00:00:00:09\"}]}");
        assertThat(taken.status()).as(taken.text()).isEqualTo(409);
        assertThat(call("POST", "/api/v1/vms", "{\"name\":\"c\",\"nics\":[{\"name\":\"nic0\",\"network\":\"nope\"}]}").status()).isEqualTo(404);
        assertThat(call("PUT", "/api/v1/vms/a/nics/nic9/mac", "{\"mac\":\"02:18:00:00:00:10\"}").status()).isEqualTo(404);
        HttpAnswer report = call("POST", "/api/v1/vms/a/observed", "{\"source\":\"vmware\",\"interfaces\":[]}");
        assertThat(report.status()).isEqualTo(400);
        assertThat(report.text()).contains("source");
    }
}
