package dev.vmaddr.config;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.config.VmaddrConfig.Api;
import dev.vmaddr.config.VmaddrConfig.Dhcp;
import dev.vmaddr.config.VmaddrConfig.NewClients;
import dev.vmaddr.config.VmaddrConfig.History;
import dev.vmaddr.config.VmaddrConfig.Libvirt;
import dev.vmaddr.config.VmaddrConfig.Log;
import dev.vmaddr.config.VmaddrConfig.Postgresql;
import dev.vmaddr.config.VmaddrConfig.Probe;
import dev.vmaddr.config.VmaddrConfig.ProbeMethod;
import dev.vmaddr.config.VmaddrConfig.StoreKind;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.NetworkSpec;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Config file → validated {@link VmaddrConfig}: parse the YAML into a {@link Tree} that keeps lines,
 * read every field (collecting all problems, unknown keys included), then check the networks'
 * rules ({@link NetworkChecks}). Either the whole snapshot is good, or a {@link ConfigException}
 * lists every problem as {@code file:line: field: problem}.
 */
public final class ConfigLoader {
    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    private ConfigLoader() {}

    public static VmaddrConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem(0, "(file)", "does not exist")));
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigProblem(0, "(file)", "cannot be read: " + e.getMessage())));
        }
        return parse(file.toString(), text);
    }

    public static VmaddrConfig parse(String source, String yaml) {
        Node root;
        try (Reader r = new StringReader(yaml)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(r);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(source, List.of(new ConfigProblem(line, "(yaml)", e.getProblem())));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(source, List.of(new ConfigProblem(0, "(yaml)", String.valueOf(e.getMessage()))));
        }
        Problems problems = new Problems();
        Tree tree = root == null ? new Tree.Scalar(null, 1) : Tree.fromYaml(root);
        VmaddrConfig config = read(source, tree, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems.list());
        }
        return config;
    }

    private static VmaddrConfig read(String source, Tree tree, Problems problems) {
        Fields f = Fields.of(tree, "", problems);
        if (f == null) {
            return null;
        }
        VmaddrConfig d = VmaddrConfig.defaults();
        Path dataDir = orElse(f.value("dataDir", Path::of), d.dataDir());
        StoreKind store = orElse(f.value("store", s -> switch (s) {
            case "embedded" -> StoreKind.EMBEDDED;
            case "postgresql" -> StoreKind.POSTGRESQL;
            default -> throw new IllegalArgumentException("must be embedded or postgresql, not \"" + s + "\"");
        }), StoreKind.EMBEDDED);

        Postgresql pg = null;
        Fields pf = f.child("postgresql");
        if (pf != null) {
            String url = pf.required("url", s -> {
                if (!s.startsWith("jdbc:postgresql:")) {
                    throw new IllegalArgumentException("\"" + s + "\" is not a jdbc:postgresql: URL");
                }
                return s;
            });
            Duration pollInterval = pf.value("pollInterval", s -> {
                Duration every = Durations.parse(s);
                if (every.isZero() || every.isNegative()) {
                    throw new IllegalArgumentException("must be positive, e.g. 50ms");
                }
                return every;
            });
            pg = new Postgresql(url, pf.string("user"), pf.value("passwordFile", Path::of), pollInterval);
            pf.rejectUnknown();
        }
        if (store == StoreKind.POSTGRESQL && pg == null) {
            problems.add(f.line("store"), "postgresql", "is required with store: postgresql");
        }

        Api api = ApiFields.read(f.child("api"), dataDir, d.api().listen());

        Dhcp dhcp = null;
        Fields df = f.child("dhcp");
        if (df != null) {
            dhcp = readDhcp(df);
        }

        MacPoolSpec macPool = MacPoolSpec.defaults();
        Fields mf = f.child("macPool");
        if (mf != null) {
            Integer prefix = mf.value("prefix", MacPoolSpec::parsePrefix);
            List<MacPoolSpec.Range> ranges = mf.list("ranges", ConfigLoader::macRange);
            Duration quarantine = mf.value("quarantine", Durations::parse);
            mf.rejectUnknown();
            try {
                macPool = new MacPoolSpec(prefix != null ? prefix : MacPoolSpec.KVM_PREFIX, ranges, quarantine);
            } catch (IllegalArgumentException e) {
                problems.add(mf.line(e.getMessage().startsWith("ranges") ? "ranges" : "prefix"),
                        mf.field(e.getMessage().startsWith("ranges") ? "ranges" : "prefix"), e.getMessage());
            }
        }

        List<NetworkSpec> networks = new ArrayList<>();
        List<String> networkPaths = new ArrayList<>();
        List<Fields> nfs = f.children("networks");
        for (Fields nf : nfs) {
            NetworkSpec n = NetworkFields.read(nf);
            if (n != null) {
                networks.add(n);
                networkPaths.add(nf.path());
            }
        }
        NetworkChecks.check(networks, networkPaths, problems);

        Log log = Log.DEFAULT;
        Fields lf = f.child("log");
        if (lf != null) {
            log = new Log(orElse(lf.value("level", s -> {
                String l = s.toLowerCase(Locale.ROOT);
                if (!LOG_LEVELS.contains(l)) {
                    throw new IllegalArgumentException("must be one of trace, debug, info, warn, error, not \"" + s + "\"");
                }
                return l;
            }), "info"));
            lf.rejectUnknown();
        }
        History history = readHistory(f.child("history"));
        Libvirt libvirt = null;
        Fields vf = f.child("libvirt");
        if (vf != null) {
            libvirt = readLibvirt(vf);
        }
        f.rejectUnknown();
        if (!problems.isEmpty()) {
            return null;
        }
        return new VmaddrConfig(source, dataDir, store, pg, api, dhcp, macPool, networks, log, history, libvirt);
    }

    /** {@code history: {keep: 90d, maxEvents: N}}; a problem is recorded with its line, the default stands in. */
    private static History readHistory(Fields hf) {
        if (hf == null) {
            return History.DEFAULT;
        }
        Duration keep = hf.value("keep", s -> {
            Duration d = Durations.parse(s);
            if (d.compareTo(Duration.ofHours(1)) < 0) {
                throw new IllegalArgumentException("must be at least 1h, e.g. 90d");
            }
            return d;
        });
        Integer maxEvents = hf.integer("maxEvents", 1000, 50_000_000);
        hf.rejectUnknown();
        return new History(orElse(keep, History.DEFAULT.keep()), orElse(maxEvents, History.DEFAULT.maxEvents()));
    }

    private static Dhcp readDhcp(Fields df) {
        List<String> interfaces = df.list("interfaces", s -> {
            if (s.isBlank() || s.length() > 15 || s.contains("/") || s.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("\"" + s + "\" is not an interface name");
            }
            return s;
        });
        Probe probe = Probe.DEFAULT;
        Fields pf = df.child("probe");
        if (pf != null) {
            ProbeMethod method = orElse(pf.value("method", s -> switch (s) {
                case "icmp" -> ProbeMethod.ICMP;
                case "arp" -> ProbeMethod.ARP;
                case "none" -> ProbeMethod.NONE;
                default -> throw new IllegalArgumentException("must be icmp, arp or none, not \"" + s + "\"");
            }), Probe.DEFAULT.method());
            probe = new Probe(method, orElse(pf.value("timeout", Durations::parse), Probe.DEFAULT.timeout()));
            pf.rejectUnknown();
        }
        boolean authoritative = orElse(df.bool("authoritative"), true);
        Ipv4Address serverId = df.value("serverId", Ipv4Address::parse);
        NewClients newClients = NewClients.DEFAULT;
        Fields nf = df.child("newClients");
        if (nf != null) {
            newClients = new NewClients(orElse(nf.integer("perSecond", 0, 1_000_000), NewClients.DEFAULT.perSecond()),
                    orElse(nf.integer("burst", 1, 1_000_000), NewClients.DEFAULT.burst()),
                    orElse(nf.integer("offersInFlight", 0, 65_536), NewClients.DEFAULT.offersInFlight()));
            nf.rejectUnknown();
        }
        df.rejectUnknown();
        return new Dhcp(interfaces, probe, authoritative, serverId, newClients);
    }

    private static Libvirt readLibvirt(Fields vf) {
        String uri = vf.value("uri", s -> {
            // driver[+transport]://[host]/path: virsh -c takes nothing else (a typo would sync against nothing)
            if (!s.matches("[a-z][a-z0-9]*(\\+[a-z0-9]+)?://[^\\s]*")) {
                throw new IllegalArgumentException("\"" + s + "\" is not a libvirt URI, e.g. qemu:///system");
            }
            return s;
        });
        Duration interval = vf.value("interval", s -> {
            Duration every = Durations.parse(s);
            if (every.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("must be at least 100ms, e.g. 5s");
            }
            return every;
        });
        vf.rejectUnknown();
        return new Libvirt(orElse(uri, Libvirt.DEFAULT_URI), orElse(interval, Libvirt.DEFAULT_INTERVAL));
    }

    /** FIRST-LAST, both MACs in colon (or dot) form: '-' only separates them. */
    private static MacPoolSpec.Range macRange(String text) {
        String[] parts = text.strip().split("\\s*-\\s*");
        if (parts.length != 2) {
            throw new IllegalArgumentException("\"" + text + "\" is not a MAC range FIRST-LAST in colon form, e.g. 52:54:00:10:00:00-52:54:00:1f:ff:ff");
        }
        return new MacPoolSpec.Range(MacAddress.parse(parts[0]), MacAddress.parse(parts[1]));
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
