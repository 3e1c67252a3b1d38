package dev.vmaddr.testing.netns;

import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for a child JVM running one main class with this JVM's binary and classpath.
 * Needed because {@code setns(2)} applies to one OS thread, and the JVM's other threads (and the
 * sockets they open) would stay in the root namespace: code must be started inside the namespace.
 *
 * <p>Child mains should call {@link #exitWhenParentGoes()} so they die with the test JVM even if it
 * is killed before its shutdown hook runs.
 */
public final class ChildJvm {
    // Startup matters more than peak speed for short-lived test servers.
    private static final List<String> JVM_OPTIONS = List.of(
            "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m");

    private ChildJvm() {}

    public static List<String> command(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> System.getProperty("java.home") + "/bin/java");
    }

    /**
     * For use in a child main: exits the JVM when stdin reaches end of file, which happens when the
     * parent closes the pipe or dies.
     */
    public static void exitWhenParentGoes() {
        Thread.ofPlatform().daemon().name("parent-watch").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Input is not meant for us; only its end matters.
                }
            } catch (java.io.IOException ignored) {
                // Treat a broken stdin like a closed one.
            }
            System.exit(3);
        });
    }
}
