package dev.vmaddr.dhcp.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * Moves UDP datagrams for the DHCP server. Kept this small so that the protocol can run over an
 * in-memory implementation in tests.
 *
 * <p>Implementations document their own thread-safety; the contract the server relies on is: one
 * thread calls {@link #receive()}, any thread may call {@link #send}, and {@link #close()} from any
 * thread makes a blocked {@code receive()} throw
 * {@link java.nio.channels.AsynchronousCloseException}.
 */
public interface PacketTransport extends AutoCloseable {

    /**
     * Blocks until a datagram arrives.
     *
     * @throws java.nio.channels.ClosedChannelException when the transport is (or gets) closed;
     *         {@link java.nio.channels.AsynchronousCloseException} when closed while waiting
     * @throws IOException on any other failure of the socket
     */
    Datagram receive() throws IOException;

    /**
     * Sends one datagram.
     *
     * @param ifIndex     interface to send out of; 0 lets the routing table decide. A broadcast to
     *                    255.255.255.255 needs it: with no route the kernel refuses, and with a
     *                    default route it would leave through the wrong bridge
     * @param sourceHint  source address to put on the packet ({@code ipi_spec_dst}), or null to let
     *                    the kernel choose from the outgoing interface
     * @param destination address and port to send to
     * @throws IOException when the kernel refuses, with its reason in the message
     */
    void send(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination,
              byte[] data, int offset, int length) throws IOException;

    /** Sends all of {@code data}; see {@link #send(int, Inet4Address, InetSocketAddress, byte[], int, int)}. */
    default void send(int ifIndex, Inet4Address sourceHint, InetSocketAddress destination, byte[] data)
            throws IOException {
        send(ifIndex, sourceHint, destination, data, 0, data.length);
    }

    /** Releases the socket and wakes a blocked {@link #receive()}. Idempotent. */
    @Override
    void close() throws IOException;
}
