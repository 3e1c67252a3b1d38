/**
 * The socket layer under the DHCP server: bytes in, bytes out, with the interface a packet arrived
 * on. It knows nothing of DHCP messages or leases, so the protocol is tested against an in-memory
 * {@link dev.vmaddr.dhcp.transport.PacketTransport} and only this package touches sockets.
 *
 * <p>{@link dev.vmaddr.dhcp.transport.FfmUdpTransport} exists because {@code java.nio} cannot say
 * which interface a datagram came in on, nor send a broadcast out of a chosen interface; one socket
 * with {@code IP_PKTINFO} does both for every bridge of the host.
 */
package dev.vmaddr.dhcp.transport;
