package dev.vmaddr.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vmaddr.addr.Ipv4Prefix;
import dev.vmaddr.hostnet.CommandResult;
import dev.vmaddr.hostnet.CommandRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the packet filter (read-only): {@code nft -j list ruleset}, else {@code iptables-save}. Answers
 * three questions: which rules drop DHCP (UDP 67/68), which forward chains drop a network's traffic,
 * and whether a masquerade rule covers a network. (iptables-nft rules show up in nft's ruleset too.)
 */
final class FirewallInspector {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A rule or chain policy of interest. {@code fix} deletes or overrides it. */
    record Hit(String evidence, String fix) {}

    private final List<JsonNode> rules = new ArrayList<>();
    private final List<JsonNode> chains = new ArrayList<>();
    private final List<String> iptables = new ArrayList<>();
    final String source;

    private FirewallInspector(String source) {
        this.source = source;
    }

    static Optional<FirewallInspector> read(CommandRunner run) throws IOException {
        CommandResult nft = run.run("nft", "-j", "list", "ruleset");
        if (nft.ok()) {
            FirewallInspector f = new FirewallInspector("nft -j list ruleset");
            JsonNode root = JSON.readTree(nft.stdout().isBlank() ? "{}" : nft.stdout());
            for (JsonNode item : root.path("nftables")) {
                if (item.has("rule")) {
                    f.rules.add(item.get("rule"));
                } else if (item.has("chain")) {
                    f.chains.add(item.get("chain"));
                }
            }
            return Optional.of(f);
        }
        CommandResult ipt = run.run("iptables-save");
        if (ipt.ok()) {
            FirewallInspector f = new FirewallInspector("iptables-save");
            f.iptables.addAll(ipt.stdout().lines().toList());
            return Optional.of(f);
        }
        return Optional.empty();
    }

    List<Hit> dhcpDrops() {
        List<Hit> out = new ArrayList<>();
        for (JsonNode r : rules) {
            if (dropping(r) && touchesDhcpPort(r.path("expr"))) {
                out.add(new Hit(describe(r), deleteFix(r)));
            }
        }
        for (String l : iptables) {
            if (l.startsWith("-A ") && (l.contains("-j DROP") || l.contains("-j REJECT"))
                    && (l.matches(".*--[ds]port (67|68|67:68)\\b.*") || l.matches(".*--dports \\S*\\b6[78]\\b.*"))) {
                out.add(new Hit("iptables-save: " + l, "iptables " + l.replaceFirst("^-A ", "-D ")));
            }
        }
        return out;
    }

    /** Forward-hook chains with policy drop that let nothing of the bridge/CIDR through, and drop rules that name them. */
    List<Hit> forwardDrops(String bridge, Ipv4Prefix cidr) {
        List<Hit> out = new ArrayList<>();
        String net = cidr.network().toString();
        for (JsonNode c : chains) {
            if (!"forward".equals(c.path("hook").asText()) || !"drop".equals(c.path("policy").asText())) {
                continue;
            }
            boolean accepted = rules.stream().anyMatch(r -> sameChain(r, c) && r.path("expr").toString().contains("\"accept\"")
                    && (r.path("expr").toString().contains("\"" + bridge + "\"") || r.path("expr").toString().contains("\"" + net + "\"")));
            if (!accepted) {
                String where = c.path("family").asText() + " " + c.path("table").asText() + " " + c.path("name").asText();
                out.add(new Hit("nft chain " + where + " (hook forward) has policy drop and no accept rule for " + bridge + " or " + cidr,
                        "nft insert rule " + where + " iifname \"" + bridge + "\" accept && nft insert rule " + where
                                + " oifname \"" + bridge + "\" ct state established,related accept"));
            }
        }
        for (JsonNode r : rules) {
            if (!dropping(r)) {
                continue;
            }
            JsonNode chain = chains.stream().filter(c -> sameChain(r, c)).findFirst().orElse(null);
            String text = r.path("expr").toString();
            if (chain != null && "forward".equals(chain.path("hook").asText())
                    && (text.contains("\"" + bridge + "\"") || text.contains("\"" + net + "\""))) {
                out.add(new Hit(describe(r), deleteFix(r)));
            }
        }
        for (String l : iptables) {
            if (l.equals(":FORWARD DROP [0:0]") || l.startsWith(":FORWARD DROP")) {
                boolean accepted = iptables.stream().anyMatch(x -> x.startsWith("-A FORWARD") && x.contains("-j ACCEPT")
                        && (x.contains(bridge) || x.contains(cidr.toString())));
                if (!accepted) {
                    out.add(new Hit("iptables-save: FORWARD policy DROP with no ACCEPT for " + bridge,
                            "iptables -I FORWARD -i " + bridge + " -j ACCEPT && iptables -I FORWARD -o " + bridge
                                    + " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT"));
                }
            }
        }
        return out;
    }

    boolean masquerades(Ipv4Prefix cidr) {
        for (JsonNode r : rules) {
            JsonNode expr = r.path("expr");
            if (!expr.toString().contains("\"masquerade\"")) {
                continue;
            }
            boolean saddrMatch = false;
            boolean covers = false;
            for (JsonNode e : expr) {
                JsonNode m = e.path("match");
                if (m.isMissingNode() || !"saddr".equals(m.path("left").path("payload").path("field").asText())) {
                    continue;
                }
                saddrMatch = true;
                JsonNode right = m.path("right");
                JsonNode prefix = right.path("prefix");
                if (!"!=".equals(m.path("op").asText()) && prefix.isObject()) {
                    int len = prefix.path("len").asInt();
                    try {
                        Ipv4Prefix p = new Ipv4Prefix(dev.vmaddr.addr.Ipv4Address.parse(prefix.path("addr").asText()), len);
                        covers |= len <= cidr.length() && p.contains(cidr.network());
                    } catch (IllegalArgumentException ignored) {
                        // IPv6 or odd prefix: not ours
                    }
                }
            }
            if (covers || !saddrMatch) {
                return true;
            }
        }
        for (String l : iptables) {
            if (l.contains("-j MASQUERADE") && (!l.contains(" -s ") || l.contains("-s " + cidr))) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameChain(JsonNode rule, JsonNode chain) {
        return rule.path("family").asText().equals(chain.path("family").asText())
                && rule.path("table").asText().equals(chain.path("table").asText())
                && rule.path("chain").asText().equals(chain.path("name").asText());
    }

    private static boolean dropping(JsonNode rule) {
        for (JsonNode e : rule.path("expr")) {
            if (e.has("drop") || e.has("reject")) {
                return true;
            }
        }
        return false;
    }

    private static boolean touchesDhcpPort(JsonNode expr) {
        for (JsonNode e : expr) {
            JsonNode m = e.path("match");
            String field = m.path("left").path("payload").path("field").asText();
            if (!field.equals("dport") && !field.equals("sport") || "!=".equals(m.path("op").asText())) {
                continue;
            }
            JsonNode right = m.path("right");
            if (right.isInt() && (right.asInt() == 67 || right.asInt() == 68)) {
                return true;
            }
            for (JsonNode v : right.path("set")) {
                if (v.isInt() && (v.asInt() == 67 || v.asInt() == 68)
                        || v.has("range") && v.get("range").get(0).asInt() <= 68 && v.get("range").get(1).asInt() >= 67) {
                    return true;
                }
            }
            JsonNode range = right.path("range");
            if (range.isArray() && range.get(0).asInt() <= 68 && range.get(1).asInt() >= 67) {
                return true;
            }
        }
        return false;
    }

    private static String describe(JsonNode r) {
        return "nft rule " + r.path("family").asText() + " " + r.path("table").asText() + " " + r.path("chain").asText()
                + " handle " + r.path("handle").asText() + ": " + r.path("expr");
    }

    private static String deleteFix(JsonNode r) {
        return "nft delete rule " + r.path("family").asText() + " " + r.path("table").asText() + " "
                + r.path("chain").asText() + " handle " + r.path("handle").asText();
    }
}
