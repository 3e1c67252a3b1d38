package dev.vmaddr.serve.multi;

import dev.vmaddr.cli.Main;
import dev.vmaddr.testing.netns.ChildJvm;

/** {@code vmaddr <args>} in a child JVM that also exits when the test JVM goes away (its stdin closes). */
public final class ServeChildMain {
    private ServeChildMain() {}

    public static void main(String[] args) {
        ChildJvm.exitWhenParentGoes();
        Main.main(args);
    }
}
