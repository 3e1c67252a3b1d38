package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.HistoryRoutes;
import dev.vmaddr.api.Json;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryPage;
import dev.vmaddr.store.HistoryQuery;
import dev.vmaddr.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "history", mixinStandardHelpOptions = true,
        description = {"Who held an address or a MAC when, newest first; follows every page.",
                "--since and --until take 2026-12-01T10:00:00Z, a date (2026-12-01, UTC) or a duration back from now (7d).",
                "--output json prints one JSON array of {at, kind, network, ip, mac, vm, nic, actor, detail, ...}."},
        footerHeading = "%nExamples:%n", footer = {"  vmaddr history --ip 198.18.0.7 --since 7d",
                "  vmaddr history --vm web1 --output json"})
public final class HistoryCommand extends ClientCommand implements ClientCommand.ReadsStore {
    static final String[] COLUMNS = {"at", "kind", "network", "ip", "mac", "vm", "nic", "actor", "detail"};

    @Option(names = "--ip", paramLabel = "IP", description = "Only events of this address.")
    String ip;
    @Option(names = "--mac", paramLabel = "MAC", description = "Only events of this MAC.")
    String mac;
    @Option(names = "--vm", paramLabel = "NAME", description = "Only events of this VM's NICs.")
    String vm;
    @Option(names = "--since", paramLabel = "T", description = "From this time on (inclusive).")
    String since;
    @Option(names = "--until", paramLabel = "T", description = "Before this time (exclusive).")
    String until;
    @Option(names = "--limit", paramLabel = "N", description = "At most N events (default: all).")
    Integer limit;

    private <T> T check(String option, String text, Function<String, T> parser) {
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text.strip());
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, option + ": " + e.getMessage());
        }
    }

    private record Criteria(Ipv4Address ip, MacAddress mac, Instant since, Instant until) {}

    /** Checks every option before anything is asked, so bad input is exit 2 with the option named. */
    private Criteria criteria() {
        if (limit != null && limit < 1) {
            throw new CliException(CliException.BAD_INPUT, "--limit must be at least 1, not " + limit);
        }
        Clock clock = Clock.systemUTC();
        Criteria c = new Criteria(check("--ip", ip, Ipv4Address::parse), check("--mac", mac, MacAddress::parse),
                check("--since", since, t -> HistoryRoutes.time(t, clock)), check("--until", until, t -> HistoryRoutes.time(t, clock)));
        if (c.since() != null && c.until() != null && !c.since().isBefore(c.until())) {
            throw new CliException(CliException.BAD_INPUT, "--until must be after --since");
        }
        return c;
    }

    @Override
    void run(ApiClient api) {
        Criteria c = criteria();
        StringBuilder q = new StringBuilder();
        add(q, "ip", c.ip() == null ? null : c.ip().toString());
        add(q, "mac", c.mac() == null ? null : c.mac().toString());
        add(q, "vm", vm);
        // absolute times, so every page of one listing asks the same window
        add(q, "since", c.since() == null ? null : c.since().toString());
        add(q, "until", c.until() == null ? null : c.until().toString());
        ArrayNode all = Json.MAPPER.createArrayNode();
        for (JsonNode e : api.getAllPages("/api/v1/history", q.toString())) {
            if (limit != null && all.size() >= limit) {
                break;
            }
            all.add(e);
        }
        print(all, COLUMNS);
    }

    @Override
    public void runOnStore(Store store) {
        Criteria c = criteria();
        ArrayNode all = Json.MAPPER.createArrayNode();
        HistoryQuery query = new HistoryQuery(c.ip(), c.mac(), vm, c.since(), c.until(), null, 1000);
        while (true) {
            HistoryPage page = store.history().page(query);
            for (HistoryEvent e : page.items()) {
                if (limit != null && all.size() >= limit) {
                    break;
                }
                all.add(Json.MAPPER.valueToTree(HistoryRoutes.view(e)));
            }
            if (page.next() == null || limit != null && all.size() >= limit) {
                break;
            }
            query = query.after(page.next());
        }
        print(all, COLUMNS);
    }

    private static void add(StringBuilder q, String name, String value) {
        if (value != null && !value.isBlank()) {
            q.append(q.isEmpty() ? "" : "&").append(name).append('=').append(ApiClient.seg(value));
        }
    }
}
