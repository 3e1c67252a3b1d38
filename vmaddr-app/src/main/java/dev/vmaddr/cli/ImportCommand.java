package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.importing.ImportData;
import dev.vmaddr.importing.ImportFormatException;
import dev.vmaddr.importing.ImportSource;
import dev.vmaddr.importing.ImportWire;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vmaddr import --from dnsmasq|kea|dhcpd|libvirt FILE... --network NAME [--dry-run]}
 * (PRODUCT.md "Import"). The files are read here, in full, before the server is asked anything:
 * a malformed line stops the import with exit 2 naming file:line, and nothing is written. What was
 * read goes to the running server in one request ({@link ImportWire}), which applies it as one
 * write and serves the imported leases at once.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import leases (bound until their own expiry) and host entries (reservations) from dnsmasq, Kea, "
                + "ISC dhcpd or libvirt files into a network. Conflicts are listed and left alone; --dry-run writes nothing.",
        footerHeading = "%nExamples:%n",
        footer = {"  vmaddr import --from dnsmasq /var/lib/misc/dnsmasq.leases /etc/dnsmasq.conf --network lan0 --dry-run",
                "  vmaddr import --from kea /var/lib/kea/kea-leases4.csv /etc/kea/kea-dhcp4.conf --network lan0",
                "  vmaddr import --from dhcpd /var/lib/dhcp/dhcpd.leases /etc/dhcp/dhcpd.conf --network lan0 --output json",
                "  virsh net-dumpxml default > default.xml; vmaddr import --from libvirt default.xml --network lan0"})
final class ImportCommand extends ClientCommand {
    /** Files below this size finish before a bar would show anything useful. */
    private static final long BAR_FROM_BYTES = 4L << 20;

    @Option(names = "--from", required = true, paramLabel = "SOURCE", description = "dnsmasq, kea, dhcpd or libvirt.")
    String from;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "Lease files and/or configuration files of that server (older lease files first).")
    List<Path> files;

    @Mixin
    NetworkOption network;

    @Option(names = "--dry-run", description = "Print what the import would do; write nothing.")
    boolean dryRun;

    @Override
    void run(ApiClient api) {
        ImportSource source = source(from);
        long total = 0;
        for (Path f : files) {
            try {
                total += Files.size(f);
            } catch (IOException e) {
                throw new CliException(CliException.BAD_INPUT, "FILE: cannot read " + f + ": " + reason(e));
            }
        }
        ImportData data;
        String body;
        try (ProgressBar bar = total >= BAR_FROM_BYTES && stderrIsTerminal() ? bar(total) : null) {
            data = read(source, bar);
            if (bar != null) {
                bar.setExtraMessage(" sending " + data.size() + " records");
            }
            StringWriter w = new StringWriter(Math.max(64, data.size() * 90));
            ImportWire.write(data, w);
            body = w.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String note : data.notes()) {
            err.println("note: " + note);
        }
        err.flush();
        JsonNode answer = api.postLarge(network.path() + "/import" + (dryRun ? "?dryRun=true" : ""), body,
                ImportWire.MEDIA_TYPE, Duration.ofMinutes(10));
        if (options.output.json()) {
            print(answer);
        } else {
            out().printf(Locale.ROOT, "%s%d imported, %d unchanged, %d conflicts%n", dryRun ? "dry run: would be " : "",
                    answer.path("imported").asInt(), answer.path("unchanged").asInt(), answer.path("conflicts").size());
            out().flush();
            if (!answer.path("conflicts").isEmpty()) {
                print(answer.path("conflicts"), "ip", "mac", "reason");
            }
        }
    }

    private static ImportSource source(String name) {
        for (ImportSource s : ImportSource.values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new CliException(CliException.BAD_INPUT, "--from: \"" + name + "\" is not one of dnsmasq, kea, dhcpd, libvirt");
    }

    private ImportData read(ImportSource source, ProgressBar bar) {
        ImportSource.Reading reading = source.reading(Clock.systemUTC().instant());
        long before = 0;
        for (Path f : files) {
            long base = before;
            try (InputStream raw = Files.newInputStream(f);
                 BufferedReader in = new BufferedReader(new InputStreamReader(counting(raw, bar, base), StandardCharsets.UTF_8),
                         1 << 16)) {
                reading.read(f.toString(), in);
                before += Files.size(f);
            } catch (ImportFormatException e) {
                throw new CliException(CliException.BAD_INPUT, e.getMessage() + " (nothing was imported)");
            } catch (IOException e) {
                throw new CliException(CliException.BAD_INPUT, "FILE: cannot read " + f + ": " + reason(e));
            }
        }
        return reading.finish();
    }

    private static String reason(IOException e) {
        return e instanceof NoSuchFileException ? "no such file" : e.getMessage();
    }

    private static InputStream counting(InputStream in, ProgressBar bar, long base) {
        if (bar == null) {
            return in;
        }
        return new FilterInputStream(in) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    read += n;
                    bar.stepTo(base + read);
                }
                return n;
            }
        };
    }

    private static ProgressBar bar(long totalBytes) {
        return new ProgressBarBuilder().setTaskName("import").setInitialMax(totalBytes).setUnit(" MiB", 1 << 20)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(200).build();
    }

    /**
     * Whether stderr is a terminal: {@code System.console()} answers for stdin and stdout, and
     * {@code vmaddr import ... --output json > out.json} must still show the bar, while
     * {@code 2> log} must not write one into the log.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

}
