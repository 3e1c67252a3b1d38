package dev.vmaddr.cli;

import sun.misc.Signal;

/**
 * SIGTERM/SIGINT → an orderly stop that exits 0; SIGHUP → reload (the TLS certificate). A shutdown hook alone would let the JVM exit with
 * 143; handling the signal lets {@code serve} close the server and return normally.
 */
final class Signals {
    private Signals() {}

    /** SIGHUP → {@code action} (reload), on the JVM's signal thread; ignored where SIGHUP is not available. */
    static void onHangup(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
        } catch (IllegalArgumentException e) {
            // not available (or reserved, e.g. with -Xrs): the certificate files are still checked periodically
        }
    }

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
