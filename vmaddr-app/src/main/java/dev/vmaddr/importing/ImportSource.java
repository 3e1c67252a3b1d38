package dev.vmaddr.importing;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Supplier;

/** The DHCP servers whose files {@code vmaddr import --from} reads, each with its parser. */
public enum ImportSource {
    DNSMASQ(DnsmasqParser::new),
    KEA(KeaParser::new),
    DHCPD(DhcpdParser::new),
    LIBVIRT(LibvirtParser::new);

    private final Supplier<SourceParser> parsers;

    ImportSource(Supplier<SourceParser> parsers) {
        this.parsers = parsers;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Opens one file after another; {@link Reading#finish} after the last. */
    public Reading reading(Instant now) {
        return new Reading(parsers.get(), now);
    }

    /** One import's files of one source, read in the order given (the later file's lease of an address wins). */
    public static final class Reading {
        private final SourceParser parser;
        private final Instant now;
        private final ImportData data = new ImportData();

        private Reading(SourceParser parser, Instant now) {
            this.parser = parser;
            this.now = now;
        }

        /** @throws ImportFormatException naming {@code file}, the line and the problem */
        public void read(String file, BufferedReader in) throws IOException {
            parser.parse(file, in, now, data);
        }

        public ImportData finish() {
            parser.finish(now, data);
            return data;
        }
    }
}
