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
 * @param libvirt    null when the file has no {@code libvirt:} section: no sync with libvirt
 */
public record VmaddrConfig(String source, Path dataDir, StoreKind store, Postgresql postgresql, Api api, Dhcp dhcp,
                           MacPoolSpec macPool, List<NetworkSpec> networks, Log log, History history, Libvirt libvirt) {
    public static final Path DEFAULT_DATA_DIR = Path.of("vmaddr-data");
    public static final Listen DEFAULT_LISTEN = new Listen("127.0.0.1", 8067);

    public VmaddrConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(macPool, "macPool");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(history, "history");
        networks = List.copyOf(networks);
    }

    /** Without {@code history:} ({@link History#DEFAULT}) and {@code libvirt:} (no sync) sections. */
    public VmaddrConfig(String source, Path dataDir, StoreKind store, Postgresql postgresql, Api api, Dhcp dhcp,
                        MacPoolSpec macPool, List<NetworkSpec> networks, Log log) {
        this(source, dataDir, store, postgresql, api, dhcp, macPool, networks, log, History.DEFAULT, null);
    }

    /**
     * {@code libvirt: { uri, interval }}: {@code serve} keeps VMs in step with the domains at
     * {@code uri} every {@code interval} (PRODUCT.md "libvirt").
     */
    public record Libvirt(String uri, Duration interval) {
        public static final String DEFAULT_URI = "qemu:///system";
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

        public Libvirt {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(interval, "interval");
        }
    }

    /** The built-in default of {@code vmaddr serve} without a file: embedded store in ./vmaddr-data, API on 127.0.0.1:8067, no DHCP. */
    public static VmaddrConfig defaults() {
        return new VmaddrConfig("built-in default", DEFAULT_DATA_DIR, StoreKind.EMBEDDED, null,
                new Api(DEFAULT_LISTEN, DEFAULT_DATA_DIR.resolve("api-token")), null, MacPoolSpec.defaults(), List.of(),
                Log.DEFAULT, History.DEFAULT, null);
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

    /**
     * @param tokenFile   the token file clients use by default (the first admin token's, else the first token's)
     * @param tokens      every token the server accepts, each with a unique name and file
     * @param tls         null: plain HTTP (or the unix socket)
     * @param socketGroup the group the unix socket is given (mode 0660); null: the process's own
     */
    public record Api(Listen listen, Path tokenFile, List<ApiToken> tokens, Tls tls, String socketGroup) {
        public Api {
            Objects.requireNonNull(listen, "listen");
            tokens = List.copyOf(tokens);
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("api: at least one token is needed");
            }
            if (tls != null && listen.isUnix()) {
                throw new IllegalArgumentException("api.tls is for HOST:PORT listeners, not a unix socket");
            }
        }

        /** One admin token named "admin" in {@code tokenFile}, plain HTTP: what {@code vmaddr serve} has always done. */
        public Api(Listen listen, Path tokenFile) {
            this(listen, tokenFile, List.of(new ApiToken(ApiToken.ADMIN, tokenFile, TokenScope.ADMIN)), null, null);
        }
    }

    /** A named API token kept in {@code file}; writes through the API are recorded as {@code api:<name>}. */
    public record ApiToken(String name, Path file, TokenScope scope) {
        /** The names of the two shorthand keys' tokens: {@code tokenFile} and {@code readOnlyTokenFile}. */
        public static final String ADMIN = "admin";
        public static final String READ = "read";

        public ApiToken {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(scope, "scope");
        }
    }

    /** ADMIN: every route; READ: GET and HEAD only (a write is 403). */
    public enum TokenScope { ADMIN, READ }

    /** PEM files: the certificate (chain) and its private key (RSA or EC). */
    public record Tls(Path cert, Path key) {
        public Tls {
            Objects.requireNonNull(cert, "cert");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * {@code host:port} (port 0 picks a free port, for tests) or {@code unix:/path} ({@code socket} set,
     * host null).
     */
    public record Listen(String host, int port, Path socket) {
        public Listen(String host, int port) {
            this(host, port, null);
        }

        public static Listen unix(Path socket) {
            return new Listen(null, 0, socket);
        }

        public boolean isUnix() {
            return socket != null;
        }

        public static Listen parse(String text) {
            if (text.startsWith("unix:")) {
                String path = text.substring("unix:".length());
                if (path.isBlank()) {
                    throw new IllegalArgumentException("\"" + text + "\" names no socket path, e.g. unix:/run/vmaddr/api.sock");
                }
                return unix(Path.of(path));
            }
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("\"" + text + "\" is not HOST:PORT or unix:/path, e.g. 127.0.0.1:8067");
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
            if (socket != null) {
                return "unix:" + socket;
            }
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * @param serverId   the address vmaddr puts in option 54; null: the address of the receiving interface
     * @param newClients the per-interface limits on new clients (starvation floods)
     */
    public record Dhcp(List<String> interfaces, Probe probe, boolean authoritative, Ipv4Address serverId,
                       NewClients newClients) {
        public Dhcp {
            interfaces = List.copyOf(interfaces);
            newClients = newClients == null ? NewClients.DEFAULT : newClients;
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

    /**
     * {@code dhcp.newClients}: per receiving interface, DISCOVERs from clients vmaddr does not know
     * (no lease, reservation or VM NIC) beyond {@code perSecond} on average ({@code burst} at once),
     * or while {@code offersInFlight} offers to new clients wait for their REQUEST, are dropped and
     * counted. 0 turns a limit off. Known clients are never held back.
     *
     * <p>Off by default: a host that boots three hundred new VMs at once, or perfdhcp measuring the
     * server, is a burst of legitimate new clients, and vmaddr refuses no request while addresses
     * are free unless told to (Kea, dnsmasq and ISC dhcpd have no such limit either). Networks of
     * untrusted guests set it, e.g. {@code newClients: {perSecond: 100, burst: 200, offersInFlight:
     * 256}}, or use {@code clients: known}.
     */
    public record NewClients(int perSecond, int burst, int offersInFlight) {
        public static final NewClients DEFAULT = new NewClients(0, 200, 0);
    }

    public record Log(String level) {
        public static final Log DEFAULT = new Log("info");
    }

    /**
     * {@code history: {keep: 90d, maxEvents: 1000000}}.
     *
     * @param keep      events older than this are pruned in the background (both stores) and at start (embedded)
     * @param maxEvents the embedded store keeps at most this many (newest) in memory; PostgreSQL ignores it
     */
    public record History(Duration keep, int maxEvents) {
        public static final History DEFAULT = new History(Duration.ofDays(90), 200_000);

        public History {
            Objects.requireNonNull(keep, "keep");
        }
    }
}
