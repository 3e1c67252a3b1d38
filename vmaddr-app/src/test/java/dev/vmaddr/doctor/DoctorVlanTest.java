package dev.vmaddr.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The VLAN check from recorded {@code ip}/{@code bridge} output: the fake stands in only for a kernel
 * with bridge VLAN filtering, which this test machine lacks (DoctorNetnsTest runs it for real where present).
 */
class DoctorVlanTest {
    static final String LINKS = """
            [{"ifname":"br0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","address":"02:00:00:00:00:01",
              "linkinfo":{"info_kind":"bridge","info_data":{"forward_delay":0,"stp_state":0,"vlan_filtering":1}}},
             {"ifname":"p1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","master":"br0","address":"02:00:00:00:00:02",
              "linkinfo":{"info_kind":"veth"}}]""";

    static CommandRunner recorded(String vlans) {
        return (argv, timeout) -> {
            String cmd = String.join(" ", argv);
            if (cmd.equals("ip -j -d link show")) {
                return new CommandResult(argv, 0, LINKS, "");
            }
            if (cmd.equals("bridge -j vlan show")) {
                return new CommandResult(argv, 0, vlans, "");
            }
            if (cmd.startsWith("ip -j -4 addr show")) {
                return new CommandResult(argv, 0, "[]", "");
            }
            return new CommandResult(argv, CommandResult.NOT_FOUND, "", "not recorded");
        };
    }

    static Set<String> checks(String vlans) {
        DoctorOptions o = new DoctorOptions(null, Set.of(), Set.of(), List.of(), false, Duration.ofSeconds(1));
        return Set.copyOf(new Doctor(recorded(vlans), new Random(), "x-").run(List.of(DoctorNetnsTest.lan0(1500, 100, "br0")), o)
                .findings().stream().map(Finding::check).toList());
    }

    @Test
    void vlanMissingOnEveryPort() {
        assertThat(checks("[{\"ifname\":\"p1\",\"vlans\":[{\"vlan\":1,\"flags\":[\"PVID\",\"Egress Untagged\"]}]}]"))
                .containsExactly("vlan-missing");
    }

    @Test
    void vlanCarriedByAPortRangeIsFine() {
        assertThat(checks("[{\"ifname\":\"p1\",\"vlans\":[{\"vlan\":1},{\"vlan\":90,\"vlanEnd\":110}]}]")).isEmpty();
    }
}
