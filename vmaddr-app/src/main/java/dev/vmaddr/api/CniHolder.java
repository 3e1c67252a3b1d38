package dev.vmaddr.api;

import dev.vmaddr.model.ClientId;
import dev.vmaddr.model.HolderKey;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who holds an address a CNI plugin asked for (PRODUCT.md "CNI IPAM plugin").
 *
 * <p>A plain pod: its container id + interface name, so a repeated ADD finds the same lease and a
 * new sandbox of the same pod is a new holder. A KubeVirt virt-launcher pod
 * ({@code virt-launcher-<vm>-<5 chars>}): the VM's NIC, namespace/vm on this network, because the
 * pod is disposable and the VM is not: the migration target pod runs while the source pod still
 * exists, and both must see one address. (Two NICs of one VM on the same network would share a
 * holder; KubeVirt setups put each NIC on its own NAD, so this is not split further.)
 *
 * <p>The engine keys leases by {@link dev.vmaddr.model.HolderKey}: a client-id or a MAC. The holder
 * becomes a client-id whose bytes are the text {@code cni:<container>/<ifname>} or
 * {@code kubevirt:<namespace>/<vm>}; no DHCP client sends such an id (they start with a type byte,
 * 0x01 or 0xff), so a CNI holder never meets a DHCP one.
 *
 * @param vm    namespace/vm for a virt-launcher pod, else null
 * @param label the holder as text, for logs and answers
 */
public record CniHolder(ClientId clientId, String vm, String label) {
    /** Kubernetes' generateName adds five characters of [bcdfghjklmnpqrstvwxz2456789]; accept any [a-z0-9]. */
    private static final Pattern VIRT_LAUNCHER = Pattern.compile("virt-launcher-(.+)-[a-z0-9]{5}");
    private static final String CONTAINER = "cni:";
    private static final String CONTAINER_HEX = HexFormat.of().formatHex(CONTAINER.getBytes(StandardCharsets.UTF_8));

    public static CniHolder of(String containerId, String ifname, String podNamespace, String podName) {
        if (podNamespace != null && !podNamespace.isBlank() && podName != null) {
            Matcher m = VIRT_LAUNCHER.matcher(podName);
            if (m.matches()) {
                return vm(podNamespace, m.group(1));
            }
        }
        String pod = containerId + "/" + ifname;
        return new CniHolder(encode(CONTAINER + pod), null, "container " + pod);
    }

    /** {@code <container>/<ifname>} when {@code id} is a plain pod's holder (not a VM's, not a DHCP client's), else null. */
    public static String containerAttachment(ClientId id) {
        if (id == null || !id.hex().startsWith(CONTAINER_HEX)) {
            return null;
        }
        return new String(HexFormat.of().parseHex(id.hex().substring(CONTAINER_HEX.length())), StandardCharsets.UTF_8);
    }

    /** The holder of a KubeVirt VM's NIC, whichever pod runs it. */
    public static CniHolder vm(String namespace, String vm) {
        String name = namespace + "/" + vm;
        return new CniHolder(encode("kubevirt:" + name), name, "vm " + name);
    }

    /** The engine's key for this holder. */
    public HolderKey key() {
        return HolderKey.of(clientId, null);
    }

    public boolean isVm() {
        return vm != null;
    }

    private static ClientId encode(String text) {
        return new ClientId(HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)));
    }
}
