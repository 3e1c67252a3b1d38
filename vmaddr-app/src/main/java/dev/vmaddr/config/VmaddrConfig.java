package dev.vmaddr.config;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.model.NetworkSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One validated, immutable snapshot of the configuration. Parsed and checked by {@link ConfigLoader};
 * the running parts read it and never change it (a new file means a new snapshot).
 *
 * @param source     where it came from (a file path, or "built-in default")
 * @param postgresql null unless {@code store} is {@link StoreKind#POSTGRESQL}
 * @param dhcp       null when the file has no {@code dhcp:} section: no DHCP socket is opened
 * @param networks   the networks the file seeds into the store at start
 */
public record VmaddrConfig(String source, Path dataDir, StoreKind store, Postgresql postgresql, Api api, Dhcp dhcp,
                           MacPoolSpec macPool, List<NetworkSpec> networks, Log log) {
    public static final Path DEFAULT_DATA_DIR = Path.of("vmaddr-data");
    public static final Listen DEFAULT_LISTEN = new Listen("127.0.0.1", 8067);

    public VmaddrConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(macPool, "macPool");
        Objects.requireNonNull(log, "log");
        networks = List.copyOf(networks);
    }

    /** The built-in default of {@code vmaddr serve} without a file: embedded store in ./vmaddr-data, API on 127.0.0.1:8067, no DHCP. */
    public static VmaddrConfig defaults() {
        return new VmaddrConfig("built-in default", DEFAULT_DATA_DIR, StoreKind.EMBEDDED, null,
                new Api(DEFAULT_LISTEN, DEFAULT_DATA_DIR.resolve("api-token")), null, MacPoolSpec.defaults(), List.of(),
                Log.DEFAULT);
    }

    public enum StoreKind { EMBEDDED, POSTGRESQL }

    /**
     * @param pollInterval how often the server reads the lease writes of the other servers on the
     *                     database (null: the store's default, 50 ms)
     */
    public record Postgresql(String url, String user, Path passwordFile, Duration pollInterval) {
        public Postgresql {
            if (pollInterval != null && (pollInterval.isNegative() || pollInterval.isZero())) {
                throw new IllegalArgumentException("postgresql.pollInterval must be positive: " + pollInterval);
            }
        }
    }

    public record Api(Listen listen, Path tokenFile) {}

    /** {@code host:port}; port 0 picks a free port (tests). */
    public record Listen(String host, int port) {
        public static Listen parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("\"" + text + "\" is not HOST:PORT, e.g. 127.0.0.1:8067");
            }
            String host = text.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + text + "\" has no numeric port");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            }
            return new Listen(host, port);
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * @param serverId the address vmaddr puts in option 54; null: the address of the receiving interface
     */
    public record Dhcp(List<String> interfaces, Probe probe, boolean authoritative, Ipv4Address serverId) {
        public Dhcp {
            interfaces = List.copyOf(interfaces);
        }

        /**
         * Whether this server is the DHCP server of {@code n}: its bridge is one of {@link #interfaces}, or it
         * names relays (relayed requests are accepted on any interface). A network only reachable through the
         * default "any giaddr inside the CIDR" is not counted: nothing says a relay points here.
         */
        public boolean serves(NetworkSpec n) {
            return (n.bridge() != null && interfaces.contains(n.bridge())) || !n.relays().isEmpty();
        }
    }

    public record Probe(ProbeMethod method, Duration timeout) {
        public static final Probe DEFAULT = new Probe(ProbeMethod.ICMP, Duration.ofMillis(300));
    }

    public enum ProbeMethod { ICMP, ARP, NONE }

    public record Log(String level) {
        public static final Log DEFAULT = new Log("info");
    }
}
