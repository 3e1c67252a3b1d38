package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.api.Json;
import dev.vmaddr.api.LeaseView;
import dev.vmaddr.model.Lease;
import dev.vmaddr.model.LeaseState;
import dev.vmaddr.model.NetworkSpec;
import dev.vmaddr.store.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lease", mixinStandardHelpOptions = true, description = "Leases: list, show.",
        subcommands = {LeaseCommand.ListCmd.class, LeaseCommand.Show.class},
        footerHeading = "%nExample:%n", footer = "  vmaddr lease list --network lan0 --output json")
public final class LeaseCommand {
    static final String[] COLUMNS = {"ip", "mac", "network", "state", "clientId", "duid", "hostname", "expiresAt"};

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List leases of one network or of all; follows every page.",
                    "--output json prints one JSON array of {ip, mac, network, state, clientId, hostname, expiresAt, ...}."},
            footerHeading = "%nExample:%n", footer = "  vmaddr lease list --network lan0 --state bound --output json")
    static final class ListCmd extends ClientCommand implements ClientCommand.ReadsStore {
        @Option(names = "--network", description = "Only this network (default: all).")
        String network;
        @Option(names = "--state", description = "offered, bound, released, expired or declined.")
        String state;
        @Option(names = "--mac")
        String mac;

        private void checkState() {
            if (state != null && Arrays.stream(LeaseState.values()).noneMatch(s -> s.wireName().equals(state))) {
                throw new CliException(CliException.BAD_INPUT, "--state must be offered, bound, released, expired or declined, not \"" + state + "\"");
            }
        }

        @Override
        public void runOnStore(Store store) {
            checkState();
            MacAddress macFilter;
            try {
                macFilter = mac == null ? null : MacAddress.parse(mac);
            } catch (IllegalArgumentException e) {
                throw new CliException(CliException.BAD_INPUT, "--mac: " + e.getMessage());
            }
            List<String> networks = network != null ? List.of(network)
                    : store.networks().list().stream().map(NetworkSpec::name).toList();
            ArrayNode all = Json.MAPPER.createArrayNode();
            for (String n : networks) {
                for (Lease l : store.leases().list(n)) {
                    if ((state == null || l.state().wireName().equals(state)) && (macFilter == null || macFilter.equals(l.mac()))) {
                        all.add(Json.MAPPER.valueToTree(LeaseView.of(l)));
                    }
                }
                // DHCPv6 bindings after the network's IPv4 leases, as the API lists them.
                java.time.Instant now = java.time.Instant.now();
                for (dev.vmaddr.model.Lease6 stored : store.leases6().list()) {
                    dev.vmaddr.model.Lease6 l = stored.asOf(now); // run out: expired, even with no server to reclaim it
                    if (l.network().equals(n) && (state == null || l.state().wireName().equals(state))
                            && (macFilter == null || macFilter.equals(l.mac()))) {
                        all.add(Json.MAPPER.valueToTree(dev.vmaddr.api.Lease6View.of(l)));
                    }
                }
            }
            print(all, COLUMNS);
        }

        @Override
        void run(ApiClient api) {
            checkState();
            List<String> networks = new ArrayList<>();
            if (network != null) {
                networks.add(network);
            } else {
                api.get("/api/v1/networks").forEach(n -> networks.add(n.path("name").asText()));
            }
            StringBuilder query = new StringBuilder();
            if (state != null) {
                query.append("state=").append(ApiClient.seg(state));
            }
            if (mac != null) {
                query.append(query.isEmpty() ? "" : "&").append("mac=").append(ApiClient.seg(mac));
            }
            ArrayNode all = Json.MAPPER.createArrayNode();
            for (String n : networks) {
                for (JsonNode lease : api.getAllPages(networkPath(n) + "/leases", query.toString())) {
                    all.add(lease);
                }
            }
            print(all, COLUMNS);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show the lease of one address.",
            footerHeading = "%nExample:%n", footer = "  vmaddr lease show --network lan0 198.18.0.120")
    static final class Show extends ClientCommand {
        @Mixin
        NetworkOption network;
        @Parameters(paramLabel = "IP")
        String ip;

        @Override
        void run(ApiClient api) {
            print(api.get(network.path() + "/leases/" + ApiClient.seg(ip)));
        }
    }
}
