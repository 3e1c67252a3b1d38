package dev.vmaddr.serve;

/**
 * A long-running part that {@link Server} starts after the store and API and stops first on
 * shutdown (the DHCP server, connectivity checks). {@code /readyz} answers 200 only when every
 * service is ready.
 */
public interface Service {
    String name();

    /** Starts work; may return before the service is ready (binding sockets, ...). */
    void start() throws Exception;

    /** True once it serves (e.g. every configured DHCP interface is bound). */
    boolean ready();

    /** Stops taking new work and finishes what is in flight. */
    void stop();
}
