package dev.vmaddr.connectivity;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.dhcp.codec.DhcpDecoder;
import dev.vmaddr.dhcp.codec.DhcpEncoder;
import dev.vmaddr.dhcp.codec.DhcpMessage;
import dev.vmaddr.dhcp.codec.MalformedPacketException;
import dev.vmaddr.hostnet.NetnsSockets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends one DISCOVER from inside a probe namespace and collects the OFFERs that arrive within a
 * window. The namespace holds only the probe interface, so 0.0.0.0:68 and the broadcast route there
 * belong to the probe alone; nothing on the host (a dhclient, vmaddr's own server) is disturbed.
 */
final class DhcpProbe {
    private static final DhcpEncoder ENCODER = new DhcpEncoder();
    private static final DhcpDecoder DECODER = new DhcpDecoder();
    private DhcpProbe() {}

    /**
     * Sends the RELEASE of {@code offer} from its address (which the caller has put on the probe interface)
     * to the server, unicast as a client in BOUND state would. Nothing comes back.
     */
    static void release(String ns, MacAddress chaddr, int xid, DhcpOffer offer) throws IOException {
        try (DatagramChannel ch = NetnsSockets.openIn(ns, () -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.bind(new InetSocketAddress(offer.yiaddr().toInetAddress(), 68));
            return c;
        })) {
            ch.send(ByteBuffer.wrap(ENCODER.encode(offer.release(xid, chaddr))),
                    new InetSocketAddress(offer.server().toInetAddress(), 67));
        }
    }

    /**
     * @param firstOnly stop at the first OFFER (route check) or keep listening for the whole window
     *                  (rogue-server search)
     */
    static List<DhcpOffer> discover(String ns, MacAddress chaddr, int xid, Duration window, boolean firstOnly)
            throws IOException {
        List<DhcpOffer> offers = new ArrayList<>();
        try (DatagramChannel ch = NetnsSockets.openIn(ns, () -> {
            DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.setOption(StandardSocketOptions.SO_BROADCAST, true);
            c.bind(new InetSocketAddress("0.0.0.0", 68));
            return c;
        }); Selector selector = Selector.open()) {
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            byte[] discover = ENCODER.encode(DhcpOffer.discover(xid, chaddr));
            ch.send(ByteBuffer.wrap(discover), new InetSocketAddress("255.255.255.255", 67));
            long deadline = System.nanoTime() + window.toNanos();
            long resend = System.nanoTime() + window.toNanos() / 2;
            boolean resent = false;
            ByteBuffer buf = ByteBuffer.allocate(1500);
            while (true) {
                long now = System.nanoTime();
                if (now >= deadline) {
                    break;
                }
                if (!resent && offers.isEmpty() && now >= resend) {
                    // One retry: a bridge port that just came up may have dropped the first frame.
                    ch.send(ByteBuffer.wrap(discover), new InetSocketAddress("255.255.255.255", 67));
                    resent = true;
                }
                long waitMs = Math.max(1, ((resent ? deadline : Math.min(deadline, resend)) - now) / 1_000_000);
                selector.select(waitMs);
                selector.selectedKeys().clear();
                InetSocketAddress from;
                while ((from = (InetSocketAddress) ch.receive(buf.clear())) != null) {
                    DhcpMessage m;
                    try {
                        m = DECODER.decode(buf.array(), 0, buf.position());
                    } catch (MalformedPacketException e) {
                        continue; // not DHCP, or broken: not an offer
                    }
                    var offer = DhcpOffer.from(m, xid, Ipv4Address.of(from.getAddress()));
                    if (offer.isPresent() && !offers.contains(offer.get())) {
                        offers.add(offer.get());
                    }
                }
                if (firstOnly && !offers.isEmpty()) {
                    break;
                }
            }
        }
        return offers;
    }
}
