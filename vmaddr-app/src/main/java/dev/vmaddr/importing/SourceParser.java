package dev.vmaddr.importing;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;

/** Reads one file of one DHCP server into {@link ImportData}; a malformed line is an {@link ImportFormatException}. */
interface SourceParser {
    /**
     * @param file the name errors give
     * @param now  leases that have run out by then are left out (with a note)
     */
    void parse(String file, BufferedReader in, Instant now, ImportData out) throws IOException;

    /** After the last file: for parsers that decide only once they have read every file (Kea's latest row per address). */
    default void finish(Instant now, ImportData out) {
    }
}
