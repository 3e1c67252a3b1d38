package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CniHolderTest {

    @Test
    void virtLauncherPodsHoldTheVmsNicOtherPodsTheirContainerAndInterface() {
        CniHolder source = CniHolder.of("aaa", "net1", "vms", "virt-launcher-my-vm-2-x7k2p");
        CniHolder target = CniHolder.of("bbb", "net1", "vms", "virt-launcher-my-vm-2-q9w8z");
        CniHolder plain = CniHolder.of("aaa", "net1", "vms", "web-7d9f8-x7k2p");
        CniHolder noNamespace = CniHolder.of("aaa", "net1", null, "virt-launcher-my-vm-2-x7k2p");

        assertThat(source.vm()).isEqualTo("vms/my-vm-2");
        assertThat(target.key()).isEqualTo(source.key()).isEqualTo(CniHolder.vm("vms", "my-vm-2").key());
        assertThat(plain.isVm()).isFalse();
        assertThat(text(plain)).isEqualTo("cni:aaa/net1");
        assertThat(text(noNamespace)).isEqualTo("cni:aaa/net1");
        assertThat(text(source)).isEqualTo("kubevirt:vms/my-vm-2");
        assertThat(CniHolder.of("aaa", "net2", null, null).key()).isNotEqualTo(plain.key());
    }

    private static String text(CniHolder h) {
        return new String(HexFormat.of().parseHex(h.clientId().hex()), StandardCharsets.UTF_8);
    }
}
