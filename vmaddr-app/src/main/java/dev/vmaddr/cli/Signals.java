package dev.vmaddr.cli;

import sun.misc.Signal;

/**
 * SIGTERM/SIGINT → an orderly stop that exits 0. A shutdown hook alone would let the JVM exit with
 * 143; handling the signal lets {@code serve} close the server and return normally.
 */
final class Signals {
    private Signals() {}

    static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> action.run());
            } catch (IllegalArgumentException e) {
                // signal not available on this platform (or reserved by the JVM): the shutdown hook still closes the server
            }
        }
    }
}
