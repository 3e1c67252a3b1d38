/**
 * Throw-away hosts for integration tests, built with {@code ip netns} as root.
 *
 * <p>Rules the harness enforces so a test can never disturb the machine it runs on: every
 * namespace is named {@code vmt-<random>-<name>}; bridges live in a namespace of their own, never
 * in the root one; veth pairs are created directly between two test namespaces; addresses and
 * routes are accepted only inside 198.18.0.0/15 (RFC 2544 benchmarking) and 127.0.0.0/8; and
 * {@link dev.vmaddr.testing.netns.NetnsLab#close()} (with a JVM shutdown hook as backstop)
 * deletes every namespace it made.
 *
 * <p>A Java thread cannot switch network namespace, so code under test that must run inside one
 * (the DHCP server) runs in a child JVM: {@link dev.vmaddr.testing.netns.Netns#startJava}.
 */
package dev.vmaddr.testing.netns;
