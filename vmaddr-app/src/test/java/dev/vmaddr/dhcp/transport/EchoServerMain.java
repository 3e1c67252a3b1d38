package dev.vmaddr.dhcp.transport;

import dev.vmaddr.testing.netns.ChildJvm;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM main for namespace tests: opens {@link FfmUdpTransport} on {@code args[0]} and answers
 * every datagram like a DHCP server answers a client with no address: a broadcast to
 * 255.255.255.255:(source port) out of the interface it came in on, from that interface's address.
 * The reply says what the transport saw:
 * {@code ifindex=N ifname=NAME dst=ADDR src=ADDR:PORT sid=ADDR msg=PAYLOAD}.
 */
public final class EchoServerMain {
    private EchoServerMain() {}

    public static void main(String[] args) throws IOException {
        ChildJvm.exitWhenParentGoes();
        InetAddress broadcast = InetAddress.getByAddress(new byte[] {-1, -1, -1, -1});
        try (FfmUdpTransport transport = FfmUdpTransport.open(Integer.parseInt(args[0]))) {
            System.out.println("READY " + transport.localPort());
            while (true) {
                Datagram d;
                try {
                    d = transport.receive();
                } catch (ClosedChannelException e) {
                    return;
                }
                Inet4Address sid = NetworkInterfaces.primaryIpv4(d.ifIndex()).orElse(null);
                String reply = "ifindex=" + d.ifIndex()
                        + " ifname=" + NetworkInterfaces.nameOf(d.ifIndex()).orElse("?")
                        + " dst=" + d.destination().getHostAddress()
                        + " src=" + d.source().getAddress().getHostAddress() + ":" + d.source().getPort()
                        + " sid=" + (sid == null ? "none" : sid.getHostAddress())
                        + " msg=" + new String(d.payload(), StandardCharsets.UTF_8);
                System.out.println("GOT " + reply);
                transport.send(d.ifIndex(), sid, new InetSocketAddress(broadcast, d.source().getPort()),
                        reply.getBytes(StandardCharsets.UTF_8));
            }
        }
    }
}
