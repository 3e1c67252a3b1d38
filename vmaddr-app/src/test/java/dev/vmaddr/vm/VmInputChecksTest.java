package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.vm.VmInventory.NicRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link VmInputChecks}: each refusal is BAD_INPUT and names the field. */
class VmInputChecksTest {
    private static void refused(Runnable check, String message) {
        assertThatThrownBy(check::run).isInstanceOf(VmException.class).hasMessage(message)
                .extracting(e -> ((VmException) e).kind()).isEqualTo(VmException.Kind.BAD_INPUT);
    }

    @Test
    void namesAreDnsLabels() {
        assertThatCode(() -> VmInputChecks.name("name", "web-1")).doesNotThrowAnyException();
        refused(() -> VmInputChecks.name("name", ""), "name: missing");
        refused(() -> VmInputChecks.name("name", "-web"), "name: \"-web\" must be 1-63 lower-case letters, digits or '-', "
                + "starting and ending with a letter or digit");
        refused(() -> VmInputChecks.name("name", "a".repeat(64)), "name: \"" + "a".repeat(64)
                + "\" must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit");
        refused(() -> VmInputChecks.host(" "), "host: blank");
        assertThatCode(() -> VmInputChecks.host(null)).doesNotThrowAnyException();
    }

    @Test
    void nicRequestsNameTheirIndex() {
        refused(() -> VmInputChecks.nics(List.of(new NicRequest("nic0", "t1", null), new NicRequest("nic0", "t1", null))),
                "nics[1].name: \"nic0\" appears twice");
        refused(() -> VmInputChecks.nics(List.of(new NicRequest("nic0", " ", null))), "nics[0].network: missing");
        refused(() -> VmInputChecks.nic("nic", null), "nic: missing");
    }

    @Test
    void aNicMacIsUnicastAndNotZero() {
        refused(() -> VmInputChecks.usableMac("mac", null), "mac: missing");
        refused(() -> VmInputChecks.usableMac("mac", MacAddress.parse("01:00:5e:00:00:01")),
                "mac: 01:00:5e:00:00:01 is a multicast address; a NIC needs a unicast MAC");
        refused(() -> VmInputChecks.usableMac("mac", MacAddress.parse("00:00:00:00:00:00")),
                "mac: 00:00:00:00:00:00 is not a usable MAC");
    }
}
