package dev.vmaddr.testing.netns;

/** A Linux bridge (STP off, no forward delay) living in namespace {@code ns}. */
public record Bridge(Netns ns, String name) {
}
