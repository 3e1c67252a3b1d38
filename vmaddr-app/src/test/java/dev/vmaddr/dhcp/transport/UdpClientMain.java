package dev.vmaddr.dhcp.transport;

import dev.vmaddr.testing.netns.ChildJvm;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Child-JVM main for namespace tests, written with plain {@code java.net} so the transport is not
 * tested against itself: from 0.0.0.0:{@code args[2]} sends {@code args[3]} to
 * {@code args[0]}:{@code args[1]} (resending every 300 ms) until one reply arrives or
 * {@code args[4]} ms pass. Prints {@code REPLY from=ADDR:PORT <payload>} (exit 0) or
 * {@code TIMEOUT} (exit 2).
 */
public final class UdpClientMain {
    private UdpClientMain() {}

    public static void main(String[] args) throws Exception {
        ChildJvm.exitWhenParentGoes();
        InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        byte[] message = args[3].getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Long.parseLong(args[4]) * 1_000_000L;
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.bind(new InetSocketAddress(Integer.parseInt(args[2])));
            socket.setSoTimeout(300);
            byte[] buffer = new byte[2048];
            while (System.nanoTime() < deadline) {
                socket.send(new DatagramPacket(message, message.length, target));
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                System.out.println("REPLY from=" + reply.getAddress().getHostAddress() + ":" + reply.getPort() + " "
                        + new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
                System.exit(0);
            }
        }
        System.out.println("TIMEOUT");
        System.exit(2);
    }
}
