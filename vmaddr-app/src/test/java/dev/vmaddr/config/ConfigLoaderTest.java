package dev.vmaddr.config;

import dev.vmaddr.config.VmaddrConfig.ProbeMethod;
import dev.vmaddr.config.VmaddrConfig.StoreKind;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.model.ReleasePolicy;
import dev.vmaddr.model.RouteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public class ConfigLoaderTest {
    /** PRODUCT.md's example file, verbatim. */
    public static final String PRODUCT_EXAMPLE = """
            dataDir: ./vmaddr-data            # embedded store
            store: embedded                   # or: postgresql
            postgresql:                       # only with store: postgresql
              url: jdbc:postgresql://127.0.0.1:5432/vmaddr
              user: vmaddr
              passwordFile: ./pg-password
            api:
              listen: 127.0.0.1:8067
              tokenFile: ./vmaddr-data/api-token   # created with a random token if absent
            dhcp:
              interfaces: [srv0]              # served directly; relayed requests are accepted on any
              probe: { method: icmp, timeout: 300ms }   # icmp | arp | none
              authoritative: true
            macPool:
              prefix: "52:54:00"
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                dns: [198.18.0.53, 198.18.0.54]
                domain: lab.example
                mtu: 1500
                bridge: br-lan0               # host interface the network lives on (bridge or VLAN interface)
                vlan: 100                     # optional
                ipv6Prefix: 2001:db8:0:1::/64 # optional: NICs show their EUI-64 SLAAC address
                release: on-delete            # on-delete | on-stop | never: what a VM gives back
                leaseTime: 120s
                renewTime: 60s                # default: half the lease time
                rebindTime: 105s              # default: 7/8 of the lease time
                pools: ["198.18.0.100-198.18.0.199"]
                exclude: ["198.18.0.150"]
                reservations:
                  - { mac: "02:18:aa:00:00:50", ip: 198.18.0.50, hostname: db1 }
                route: { mode: manual, cidr: 198.18.0.0/24, gateway: 198.18.0.1 }   # or { mode: auto }
              - name: lan1
                cidr: 198.18.1.0/24
                gateway: 198.18.1.1
                dns: [198.18.0.53]
                pools: ["198.18.1.100-198.18.1.150"]
                relays: [198.18.1.1]          # giaddrs that select this network (default: any giaddr inside cidr)
            """;

    @Test
    void productExampleParsesIntoOneSnapshot() {
        VmaddrConfig c = ConfigLoader.parse("vmaddr.yaml", PRODUCT_EXAMPLE);
        assertThat(c.dataDir()).isEqualTo(Path.of("./vmaddr-data"));
        assertThat(c.store()).isEqualTo(StoreKind.EMBEDDED);
        assertThat(c.postgresql().user()).isEqualTo("vmaddr");
        assertThat(c.api().listen().port()).isEqualTo(8067);
        assertThat(c.dhcp().interfaces()).containsExactly("srv0");
        assertThat(c.dhcp().probe().method()).isEqualTo(ProbeMethod.ICMP);
        assertThat(c.dhcp().probe().timeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(dev.vmaddr.mac.MacPoolSpec.prefixText(c.macPool().prefix())).isEqualTo("52:54:00");
        assertThat(c.networks()).hasSize(2);
        NetworkSpec lan0 = c.networks().getFirst();
        assertThat(lan0.leaseTime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(lan0.rebindTime()).isEqualTo(Duration.ofSeconds(105));
        assertThat(lan0.vlan()).isEqualTo(100);
        assertThat(lan0.release()).isEqualTo(ReleasePolicy.ON_DELETE);
        assertThat(lan0.route().mode()).isEqualTo(RouteSpec.Mode.MANUAL);
        assertThat(lan0.reservations().getFirst().hostname()).isEqualTo("db1");
        assertThat(c.networks().get(1).relays()).hasSize(1);
    }

    @Test
    void noDhcpSectionMeansNoDhcpAndTokenFileDefaultsUnderDataDir() {
        VmaddrConfig c = ConfigLoader.parse("f.yaml", "dataDir: /var/lib/vmaddr\n");
        assertThat(c.dhcp()).isNull();
        assertThat(c.api().tokenFile()).isEqualTo(Path.of("/var/lib/vmaddr/api-token"));
        assertThat(c.api().listen().toString()).isEqualTo("127.0.0.1:8067");
    }

    @Test
    void durationsTakeEveryUnit() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("3h")).isEqualTo(Duration.ofHours(3));
        assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
    }

    private static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse("t.yaml", yaml);
        } catch (ConfigException e) {
            return e.lines();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    private static String net(String name, String cidr, String extra) {
        return "  - name: " + name + "\n    cidr: " + cidr + "\n" + extra;
    }

    @Test
    void leaseKeyIsClientIdOrMacAndAMacKeyedNetworkReservesByMac() {
        assertThat(ConfigLoader.parse("t.yaml", "networks:\n" + net("a", "198.18.0.0/24", "    leaseKey: mac\n"))
                .networks().getFirst().leaseKey()).isEqualTo(dev.vmaddr.model.LeaseKey.MAC);
        assertThat(ConfigLoader.parse("t.yaml", "networks:\n" + net("a", "198.18.0.0/24", ""))
                .networks().getFirst().leaseKey()).isEqualTo(dev.vmaddr.model.LeaseKey.CLIENT_ID);
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    leaseKey: duid\n")))
                .singleElement().asString().startsWith("t.yaml:4: networks[0].leaseKey: ").contains("client-id or mac");
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    leaseKey: mac\n    reservations:\n"
                + "      - { clientId: \"01aabbcc\", ip: 198.18.0.9 }\n")))
                .singleElement().asString().startsWith("t.yaml:").contains("networks[0].reservations[0].clientId: ")
                .contains("reserve 198.18.0.9 by mac");
    }

    @Test
    void badCidr() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/33", "")))
                .singleElement().asString().startsWith("t.yaml:3: networks[0].cidr: ").contains("198.18.0.0/33");
    }

    @Test
    void poolOutsideNetwork() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    pools: [\"198.18.1.10-198.18.1.20\"]\n")))
                .singleElement().asString().startsWith("t.yaml:4: networks[0].pools[0]: ");
    }

    @Test
    void gatewayOutsideNetwork() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    gateway: 198.18.9.1\n")))
                .singleElement().asString().startsWith("t.yaml:4: networks[0].gateway: ");
    }

    @Test
    void overlappingPools() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24",
                "    pools:\n      - 198.18.0.10-198.18.0.50\n      - 198.18.0.40-198.18.0.60\n")))
                .singleElement().asString().startsWith("t.yaml:6: networks[0].pools[1]: ").contains("overlap");
    }

    @Test
    void overlappingNetworks() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/23", "") + net("b", "198.18.1.0/24", "")))
                .singleElement().asString().startsWith("t.yaml:5: networks[1].cidr: ").contains("overlaps");
    }

    @Test
    void reservationOutsideNetwork() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24",
                "    reservations:\n      - { mac: \"02:18:aa:00:00:50\", ip: 198.18.5.50 }\n")))
                .singleElement().asString().startsWith("t.yaml:5: networks[0].reservations[0].ip: ");
    }

    @Test
    void reservationIpOnTwoMacs() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", """
                    reservations:
                      - { mac: "02:18:aa:00:00:50", ip: 198.18.0.50 }
                      - { mac: "02:18:aa:00:00:51", ip: 198.18.0.50 }
                """))).singleElement().asString().startsWith("t.yaml:6: networks[0].reservations[1].ip: ");
    }

    @Test
    void badMac() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24",
                "    reservations:\n      - { mac: \"02:18:aa:00:00\", ip: 198.18.0.50 }\n")))
                .singleElement().asString().startsWith("t.yaml:5: networks[0].reservations[0].mac: ").contains("02:18:aa:00:00");
    }

    @Test
    void unknownKey() {
        assertThat(errors("dataDir: x\napi:\n  listen: 127.0.0.1:1\n  tokenfile: y\n"))
                .containsExactly("t.yaml:4: api.tokenfile: unknown key");
    }

    @Test
    void postgresqlPollIntervalIsOptionalAndMustBePositive() {
        String pg = "store: postgresql\npostgresql:\n  url: jdbc:postgresql://127.0.0.1:5432/vmaddr\n";
        assertThat(ConfigLoader.parse("t.yaml", pg).postgresql().pollInterval()).isNull();
        assertThat(ConfigLoader.parse("t.yaml", pg + "  pollInterval: 50ms\n").postgresql().pollInterval())
                .isEqualTo(Duration.ofMillis(50));
        assertThat(errors(pg + "  pollInterval: 0s\n"))
                .singleElement().asString().startsWith("t.yaml:4: postgresql.pollInterval: ").contains("positive");
    }

    @Test
    void historyKeepAndMaxEventsAreOptionalAndChecked() {
        assertThat(ConfigLoader.parse("t.yaml", "dataDir: x\n").history()).isEqualTo(VmaddrConfig.History.DEFAULT);
        assertThat(VmaddrConfig.History.DEFAULT.keep()).isEqualTo(Duration.ofDays(90));
        VmaddrConfig.History h = ConfigLoader.parse("t.yaml", "history:\n  keep: 30d\n  maxEvents: 1000000\n").history();
        assertThat(h.keep()).isEqualTo(Duration.ofDays(30));
        assertThat(h.maxEvents()).isEqualTo(1_000_000);
        assertThat(errors("dataDir: x\nhistory:\n  keep: forever\n"))
                .singleElement().asString().startsWith("t.yaml:3: history.keep: ").contains("forever");
        assertThat(errors("history:\n  keep: 10m\n"))
                .singleElement().asString().startsWith("t.yaml:2: history.keep: ").contains("at least 1h");
        assertThat(errors("history:\n  keep: 90d\n  maxEvents: 5\n"))
                .singleElement().asString().startsWith("t.yaml:3: history.maxEvents: ");
        assertThat(errors("history:\n  kept: 90d\n")).containsExactly("t.yaml:2: history.kept: unknown key");
    }

    @Test
    void badDuration() {
        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    leaseTime: 10 minutes\n")))
                .singleElement().asString().startsWith("t.yaml:4: networks[0].leaseTime: ").contains("10 minutes");
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
        assertThat(errors("store: mysql\nbogus: 1\nnetworks:\n" + net("a", "198.18.0.0/24", "    mtu: big\n"))).hasSize(3);
    }

    @Test
    void brokenYamlNamesTheLine() {
        assertThat(errors("api:\n  listen: [unclosed\n")).singleElement().asString().startsWith("t.yaml:");
    }

    @Test
    void missingFileIsAProblemNotACrash() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/vmaddr.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
    }

    /** Issue 23: {@code clients: any | known} per network, {@code dhcp.newClients} limits; bad values name file:line and field. */
    @Test
    void clientsAndNewClientLimits() {
        VmaddrConfig c = ConfigLoader.parse("t.yaml", "dhcp:\n  interfaces: [br0]\n  newClients:\n    perSecond: 5\n"
                + "    offersInFlight: 0\nnetworks:\n" + net("a", "198.18.0.0/24", "    clients: known\n")
                + net("b", "198.18.1.0/24", ""));
        assertThat(c.networks().get(0).clients()).isEqualTo(dev.vmaddr.model.ClientAccess.KNOWN);
        assertThat(c.networks().get(1).clients()).isEqualTo(dev.vmaddr.model.ClientAccess.ANY);
        assertThat(c.dhcp().newClients()).isEqualTo(new VmaddrConfig.NewClients(5, 200, 0));
        assertThat(ConfigLoader.parse("t.yaml", "dhcp:\n  interfaces: [br0]\n").dhcp().newClients())
                .isEqualTo(VmaddrConfig.NewClients.DEFAULT);
        assertThat(dev.vmaddr.config.NetworkFields.toMap(c.networks().get(0))).containsEntry("clients", "known");

        assertThat(errors("networks:\n" + net("a", "198.18.0.0/24", "    clients: friends\n")))
                .singleElement().asString().startsWith("t.yaml:4: networks[0].clients: ").contains("any or known");
        assertThat(errors("dhcp:\n  newClients:\n    burst: 0\n    perMinute: 3\n"))
                .anySatisfy(l -> assertThat(l).startsWith("t.yaml:3: dhcp.newClients.burst: ").contains("outside 1..1000000"))
                .anySatisfy(l -> assertThat(l).isEqualTo("t.yaml:4: dhcp.newClients.perMinute: unknown key"));
    }

    @Test
    void libvirtSectionWithDefaultsAndErrorsByLine() {
        assertThat(ConfigLoader.parse("t.yaml", "dataDir: ./d\n").libvirt()).isNull();
        VmaddrConfig.Libvirt l = ConfigLoader.parse("t.yaml", "libvirt: { uri: \"qemu:///system\", interval: 5s }\n").libvirt();
        assertThat(l).isEqualTo(new VmaddrConfig.Libvirt("qemu:///system", Duration.ofSeconds(5)));
        assertThat(ConfigLoader.parse("t.yaml", "libvirt: {}\n").libvirt())
                .isEqualTo(new VmaddrConfig.Libvirt("qemu:///system", Duration.ofSeconds(5)));
        assertThat(ConfigLoader.parse("t.yaml", "libvirt:\n  uri: qemu+ssh://root@hv1/system?keyfile=/k\n").libvirt().uri())
                .isEqualTo("qemu+ssh://root@hv1/system?keyfile=/k");
        assertThat(errors("dataDir: ./d\nlibvirt:\n  uri: qemu-system\n"))
                .singleElement().asString().startsWith("t.yaml:3: libvirt.uri: ").contains("not a libvirt URI");
        assertThat(errors("libvirt:\n  interval: 10ms\n"))
                .singleElement().asString().startsWith("t.yaml:2: libvirt.interval: ").contains("at least 100ms");
        assertThat(errors("libvirt:\n  uri: qemu:///system\n  url: x\n"))
                .singleElement().asString().startsWith("t.yaml:3: libvirt.url: ");
    }
}
