package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import dev.vmaddr.hostnet.Link;
import dev.vmaddr.log.LogEvents;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts a short-lived interface on a VM network so checks run <em>from that network</em>, not from
 * the management network: a private namespace {@code <prefix><8 hex>} holding one end of a veth pair
 * whose other end is a port of the network's bridge (or a macvlan on the network's interface when that
 * is not a bridge). On a VLAN-filtering bridge the port carries the network's VLAN untagged. The
 * namespace is deleted on {@link ProbeSession#close()}, which removes both interfaces with it.
 *
 * <p>Source addresses, decided once: ARP requests are ARP probes (sender 0.0.0.0, RFC 5227), which
 * need no address and cannot poison anyone's ARP cache. ICMP needs an address on the network: the
 * caller adds one with {@link ProbeSession#addAddress} (the checker uses the address a DHCP server
 * just offered, or in manual mode the highest address of the CIDR that no one answers ARP for).
 */
public final class NetworkProbe {
    private static final Pattern ARP_REPLY = Pattern.compile("from ([0-9a-fA-F:]{17}) \\(");

    private final CommandRunner host;
    private final RandomGenerator random;
    private final String namespacePrefix;

    /**
     * @param host            runs commands where the network's interface lives (the host, or a test namespace)
     * @param namespacePrefix e.g. {@code vmaddr-probe-}
     */
    public NetworkProbe(CommandRunner host, RandomGenerator random, String namespacePrefix) {
        this.host = host;
        this.random = random;
        this.namespacePrefix = namespacePrefix;
    }

    public CommandRunner host() {
        return host;
    }

    public ProbeSession open(Link iface, Integer vlan) throws ProbeException {
        byte[] id = new byte[4];
        random.nextBytes(id);
        String hex = HexFormat.of().formatHex(id);
        String ns = namespacePrefix + hex;
        String hostEnd = "vp" + hex;
        String probeEnd = "vq" + hex;
        byte[] mac = new byte[6];
        random.nextBytes(mac);
        mac[0] = (byte) ((mac[0] & 0xfc) | 0x02); // locally administered unicast
        MacAddress chaddr = MacAddress.fromBytes(mac, 0);
        must(host.root().run("ip", "netns", "add", ns));
        ProbeSession session = new ProbeSession(ns, probeEnd, chaddr);
        try {
            CommandRunner inNs = host.inNetns(ns);
            if (iface.isBridge()) {
                must(host.run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", probeEnd, "netns", ns));
                must(host.run("ip", "link", "set", hostEnd, "master", iface.name()));
                if (iface.vlanFiltering() && vlan != null) {
                    must(host.run("bridge", "vlan", "add", "dev", hostEnd, "vid", vlan.toString(), "pvid", "untagged"));
                    if (vlan != 1) {
                        host.run("bridge", "vlan", "del", "dev", hostEnd, "vid", "1");
                    }
                }
                must(host.run("ip", "link", "set", hostEnd, "mtu", Integer.toString(iface.mtu()), "up"));
            } else {
                must(host.run("ip", "link", "add", "link", iface.name(), "name", probeEnd, "type", "macvlan", "mode", "bridge"));
                must(host.run("ip", "link", "set", probeEnd, "netns", ns));
            }
            must(inNs.run("ip", "link", "set", probeEnd, "address", chaddr.toString(), "mtu", Integer.toString(iface.mtu())));
            must(inNs.run("ip", "link", "set", "lo", "up"));
            must(inNs.run("ip", "link", "set", probeEnd, "up"));
            // Routes for the DISCOVER broadcast; no address needed (the source is 0.0.0.0, as a client's).
            must(inNs.run("ip", "route", "add", "default", "dev", probeEnd));
            return session;
        } catch (ProbeException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    static CommandResult must(CommandResult r) throws ProbeException {
        if (!r.ok()) {
            throw new ProbeException(r.commandLine() + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return r;
    }

    /** One probe interface on one network; not thread-safe, use from one thread. */
    public final class ProbeSession implements AutoCloseable {
        private final String ns;
        private final String iface;
        private final MacAddress mac;
        private final CommandRunner inNs;
        private final List<Ipv4Address> addresses = new ArrayList<>();

        private ProbeSession(String ns, String iface, MacAddress mac) {
            this.ns = ns;
            this.iface = iface;
            this.mac = mac;
            this.inNs = host.inNetns(ns);
        }

        public String namespace() {
            return ns;
        }

        public MacAddress mac() {
            return mac;
        }

        /** Sends a DISCOVER; never REQUESTs, so no lease is taken. */
        public List<DhcpOffer> dhcpDiscover(Duration window, boolean firstOnly) throws ProbeException {
            try {
                return DhcpProbe.discover(ns, mac, random.nextInt(), window, firstOnly);
            } catch (IOException e) {
                throw new ProbeException("DHCP probe in " + ns + " failed: " + e.getMessage(), e);
            }
        }

        /**
         * Gives back an address a DHCP server offered this probe: RELEASE from the offered address (which must
         * be on the probe interface, see {@link #addAddress}) to the server.
         */
        public void dhcpRelease(DhcpOffer offer) throws ProbeException {
            try {
                DhcpProbe.release(ns, mac, random.nextInt(), offer);
            } catch (IOException e) {
                throw new ProbeException("DHCP release in " + ns + " failed: " + e.getMessage(), e);
            }
        }

        /** MACs that answered an ARP probe for {@code target} (duplicates kept apart, in order seen); safe to call
         * from several threads at once (it only runs arping). */
        public List<MacAddress> arp(Ipv4Address target, int maxRequests) {
            CommandResult r = inNs.run(List.of("arping", "-0", "-i", iface, "-c", Integer.toString(maxRequests),
                    "-w", Integer.toString(maxRequests), target.toString()), Duration.ofSeconds(maxRequests + 5L));
            List<MacAddress> macs = new ArrayList<>();
            Matcher m = ARP_REPLY.matcher(r.stdout());
            while (m.find()) {
                MacAddress a = MacAddress.parse(m.group(1));
                if (!macs.contains(a)) {
                    macs.add(a);
                }
            }
            return macs;
        }

        /** Whether anyone answers ARP for {@code ip}; one quick request. */
        public boolean inUse(Ipv4Address ip) {
            CommandResult r = inNs.run(List.of("arping", "-0", "-i", iface, "-c", "2", "-W", "0.3", "-w", "1", "-C", "1",
                    ip.toString()), Duration.ofSeconds(5));
            return ARP_REPLY.matcher(r.stdout()).find();
        }

        public void addAddress(Ipv4Address ip, int prefixLength) throws ProbeException {
            must(inNs.run("ip", "addr", "add", ip + "/" + prefixLength, "dev", iface, "nodad"));
            addresses.add(ip);
        }

        /** Whether {@link #addAddress} put {@code ip} on the probe interface. */
        public boolean hasAddress(Ipv4Address ip) {
            return addresses.contains(ip);
        }

        /**
         * ICMP echo from the probe interface.
         *
         * @param dfPayload null: ordinary echo; else this many payload bytes with Don't Fragment set
         */
        public boolean ping(Ipv4Address target, int count, Integer dfPayload) {
            List<String> cmd = new ArrayList<>(List.of("ping", "-n", "-q", "-c", Integer.toString(count), "-i", "0.2",
                    "-W", "1", "-I", iface));
            if (dfPayload != null) {
                cmd.addAll(List.of("-M", "do", "-s", dfPayload.toString()));
            }
            cmd.add(target.toString());
            return inNs.run(cmd, Duration.ofSeconds(count + 5L)).ok();
        }

        public Optional<String> interfaceName() {
            return Optional.of(iface);
        }

        @Override
        public void close() {
            // The namespace must go even when the check was interrupted (server stopping, a cancelled
            // check): run the deletion with the interrupt cleared, then restore it for the caller.
            boolean interrupted = Thread.interrupted();
            CommandResult r;
            try {
                r = host.root().run("ip", "netns", "del", ns);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            if (!r.ok()) {
                org.slf4j.LoggerFactory.getLogger(NetworkProbe.class)
                        .warn(LogEvents.PROBE_CLEANUP_FAILED + " netns={} error=\"{}\"", ns, r.stderr().strip());
            }
        }
    }
}
