package dev.vmaddr.testing.netns;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backstop for labs that were never closed (a test that hangs until surefire gives up, a
 * System.exit): one JVM shutdown hook kills the processes and deletes the namespaces still listed.
 * {@link NetnsLab#close()} is the normal path; it unlists what it removed.
 *
 * <p>Static because the hook is per JVM; the sets are concurrent because labs may be built and
 * closed from parallel tests while the hook may run at any time.
 */
final class Teardown {
    private static final Set<String> NAMESPACES = ConcurrentHashMap.newKeySet();
    private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("netns-teardown").unstarted(Teardown::runAll));
    }

    private Teardown() {}

    static void register(String namespace) {
        NAMESPACES.add(namespace);
    }

    static void unregister(String namespace) {
        NAMESPACES.remove(namespace);
    }

    static void register(Process process) {
        PROCESSES.add(process);
    }

    static void unregister(Process process) {
        PROCESSES.remove(process);
    }

    private static void runAll() {
        PROCESSES.forEach(Process::destroyForcibly);
        for (String ns : NAMESPACES) {
            try {
                new ProcessBuilder(Commands.ip(), "netns", "del", ns).inheritIO().start().waitFor();
            } catch (Exception e) {
                System.err.println("netns-teardown: could not delete " + ns + ": " + e);
            }
        }
    }
}
