package dev.vmaddr.cni.plugin;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vmaddr CNI IPAM plugin (PRODUCT.md "CNI IPAM plugin"): the runtime, or the main plugin
 * (bridge, macvlan), execs it with the network config on stdin and the {@code CNI_*} environment;
 * it asks the vmaddr API ({@code dev.vmaddr.api.CniRoutes}) and prints the result.
 *
 * <p>This class and its package are the whole plugin: {@code vmaddr cni install} copies them, and
 * nothing else, into a small jar, and they use only java.base (no Jackson, no java.net.http, no
 * logging) so the JVM starts in tens of milliseconds; a pod start runs the plugin once per NIC.
 */
public final class CniPlugin {
    /** Past this the plugin gives up with "try again" rather than leave the runtime waiting. */
    static final long DEADLINE_MS = 30_000;
    /** One request's share of the deadline: a server that does not answer is "try again", before the halt. */
    static final java.time.Duration REQUEST_TIMEOUT = java.time.Duration.ofSeconds(20);

    private CniPlugin() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = stdout();
        watchdog(out);
        int rc = run(System.getenv(), System.in.readAllBytes(), out);
        out.flush();
        System.exit(rc);
    }

    /** Stdout as the CNI result's stream (UTF-8, flushed once at the end). */
    static PrintStream stdout() {
        return new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    }

    /** Past {@link #DEADLINE_MS}: "try again" on {@code out} and exit, whatever the call is doing. */
    static void watchdog(PrintStream out) {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(DEADLINE_MS);
            } catch (InterruptedException e) {
                return;
            }
            out.println(new CniError(CniError.TRY_AGAIN, "no answer within " + DEADLINE_MS + " ms").toJson("1.0.0"));
            out.flush();
            Runtime.getRuntime().halt(1);
        });
    }

    /** One CNI call: prints the result or the error JSON on {@code out}; returns the exit code. */
    static int run(Map<String, String> env, byte[] stdin, PrintStream out) {
        String cniVersion = "1.0.0";
        try {
            String command = env.getOrDefault("CNI_COMMAND", "");
            if (command.equals("VERSION")) {
                out.println(CniResult.version());
                return 0;
            }
            Map<String, Object> conf = config(stdin);
            if (conf.get("cniVersion") instanceof String v) {
                cniVersion = v;
            }
            CniResult.requireSupported(cniVersion);
            if ((command.equals("STATUS") || command.equals("GC")) && cniVersion.compareTo("1.1.0") < 0) {
                // as libcni's skel: a config of an older version never meant these commands
                throw new CniError(CniError.INCOMPATIBLE_VERSION, "config version " + cniVersion + " does not allow " + command);
            }
            Call call = Call.of(command, env, conf);
            switch (command) {
                case "ADD" -> out.println(CniResult.of(cniVersion, call.add()));
                case "CHECK" -> call.check();
                case "DEL" -> call.del();
                case "STATUS" -> call.status();
                case "GC" -> call.gc();
                default -> throw new CniError(CniError.INVALID_ENV,
                        "CNI_COMMAND \"" + command + "\" is not ADD, CHECK, DEL, STATUS, GC or VERSION");
            }
            return 0;
        } catch (CniError e) {
            out.println(e.toJson(cniVersion));
            return 1;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> config(byte[] stdin) throws CniError {
        try {
            if (MiniJson.parse(new String(stdin, StandardCharsets.UTF_8)) instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new CniError(CniError.DECODE, "the network config on stdin is not a JSON object");
        } catch (IllegalArgumentException e) {
            throw new CniError(CniError.DECODE, "the network config on stdin is not JSON: " + e.getMessage());
        }
    }

    /** One ADD/CHECK/DEL with its config and environment read and checked. */
    record Call(String server, String token, String network, String containerId, String ifname, String netns,
                Map<String, String> args, Map<String, Object> conf) {

        static Call of(String command, Map<String, String> env, Map<String, Object> conf) throws CniError {
            if (!(conf.get("ipam") instanceof Map<?, ?> ipam)) {
                throw new CniError(CniError.BAD_CONFIG, "the config has no \"ipam\" object");
            }
            String network = text(ipam, "network");
            String server = text(ipam, "server");
            if (network == null || network.isBlank()) {
                throw new CniError(CniError.BAD_CONFIG, "ipam.network is required (the vmaddr network's name)");
            }
            if (server == null || !(server.startsWith("unix:/") || server.matches("https?://[^/]+(:\\d+)?/?"))) {
                throw new CniError(CniError.BAD_CONFIG, "ipam.server must be unix:/PATH or http(s)://HOST:PORT, not " + quote(server));
            }
            String token = null;
            String tokenFile = text(ipam, "tokenFile");
            if (tokenFile != null) {
                try {
                    token = Files.readString(Path.of(tokenFile)).strip();
                } catch (IOException | RuntimeException e) {
                    throw new CniError(CniError.BAD_CONFIG, "ipam.tokenFile " + tokenFile + " cannot be read: " + e.getMessage());
                }
            }
            String containerId = env.get("CNI_CONTAINERID");
            String ifname = env.get("CNI_IFNAME");
            boolean perAttachment = !command.equals("STATUS") && !command.equals("GC"); // those two name no container
            if (perAttachment && (containerId == null || containerId.isBlank() || ifname == null || ifname.isBlank())) {
                throw new CniError(CniError.INVALID_ENV, command + " needs CNI_CONTAINERID and CNI_IFNAME");
            }
            return new Call(server.endsWith("/") ? server.substring(0, server.length() - 1) : server, token, network,
                    containerId, ifname, env.get("CNI_NETNS"), cniArgs(env.getOrDefault("CNI_ARGS", "")), conf);
        }

        Map<String, Object> add() throws CniError {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("mac", mac());
            putPod(body);
            return answer("PUT", path(false), MiniJson.write(body), true);
        }

        void check() throws CniError {
            Map<String, Object> held = answer("GET", path(true), null, false);
            if (held == null) {
                throw new CniError(CniError.CHECK_MISMATCH, containerId + "/" + ifname + " holds no address in " + network);
            }
            // the runtime's cached result: CHECK fails when vmaddr now holds another address
            if (conf.get("prevResult") instanceof Map<?, ?> prev && prev.get("ips") instanceof List<?> ips) {
                String mine = held.get("ip") + "/" + held.get("prefixLength");
                boolean found = ips.stream().anyMatch(ip -> ip instanceof Map<?, ?> m && mine.equals(m.get("address")));
                if (!found) {
                    throw new CniError(CniError.CHECK_MISMATCH, "vmaddr holds " + mine + " for " + containerId + "/" + ifname
                            + ", the cached result does not list it");
                }
            }
        }

        void del() throws CniError {
            answer("DELETE", path(true), null, false);
        }

        /**
         * CNI 1.1 STATUS: ready when the server answers, knows the network and has a free address in
         * it; else 50 with the reason (whatever the cause: the runtime only asks "can ADD work now?").
         */
        void status() throws CniError {
            Map<String, Object> stats;
            try {
                stats = answer("GET", "/api/v1/networks/" + enc(network) + "/stats", null, true);
            } catch (CniError e) {
                throw new CniError(CniError.NOT_AVAILABLE, e.getMessage());
            }
            if (stats.get("free") instanceof Number free && free.longValue() == 0) {
                throw new CniError(CniError.NOT_AVAILABLE, "no free address in " + network + "'s pools");
            }
        }

        /**
         * CNI 1.1 GC: the server gives back this network's plain-pod addresses whose attachment is
         * not in {@code cni.dev/valid-attachments} (libcni also sends it as {@code cni.dev/attachments},
         * a name from a draft). A network that no longer exists holds nothing: success.
         */
        void gc() throws CniError {
            Object list = conf.containsKey("cni.dev/valid-attachments") ? conf.get("cni.dev/valid-attachments")
                    : conf.get("cni.dev/attachments");
            if (!(list instanceof List<?> items)) {
                throw new CniError(CniError.BAD_CONFIG, "GC needs the cni.dev/valid-attachments list");
            }
            List<Object> valid = new java.util.ArrayList<>();
            for (Object item : items) {
                if (!(item instanceof Map<?, ?> a && a.get("containerID") instanceof String c && a.get("ifname") instanceof String i)) {
                    throw new CniError(CniError.DECODE, "a valid attachment is not {containerID, ifname}: " + item);
                }
                valid.add(Map.of("containerID", c, "ifname", i));
            }
            answer("POST", "/api/v1/networks/" + enc(network) + "/cni-gc", MiniJson.write(Map.of("validAttachments", valid)), false);
        }

        /** Sends the request; the API's answer as a map, or null for a 404 where {@code notFoundIsError} is false. */
        @SuppressWarnings("unchecked")
        private Map<String, Object> answer(String method, String path, String body, boolean notFoundIsError) throws CniError {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", "application/json");
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            if (body != null) {
                headers.put("Content-Type", "application/json");
            }
            MiniHttp.Response r;
            try {
                r = MiniHttp.send(server, method, path, headers, body, REQUEST_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                throw new CniError(CniError.TRY_AGAIN, "vmaddr API at " + server + ": " + e);
            }
            if (r.status() == 204) {
                return Map.of();
            }
            Map<String, Object> json;
            try {
                json = r.body().isBlank() ? Map.of() : (Map<String, Object>) MiniJson.parse(r.body());
            } catch (RuntimeException e) {
                throw new CniError(CniError.TRY_AGAIN, "vmaddr API answered " + r.status() + " with a body that is not JSON");
            }
            if (r.status() / 100 == 2) {
                return json;
            }
            String detail = String.valueOf(json.getOrDefault("detail", "HTTP " + r.status()));
            if (r.status() == 404) {
                // ADD to an unknown network is a bad config; CHECK of an attachment that holds nothing
                // is the caller's mismatch; DEL of what never was (even on a network since removed) succeeds
                if (notFoundIsError || method.equals("GET") && isNoNetwork(detail)) {
                    throw new CniError(CniError.BAD_CONFIG, detail);
                }
                return null;
            }
            throw switch (r.status()) {
                case 400, 401, 403 -> new CniError(CniError.BAD_CONFIG, detail);
                // the plugin never asks for a given address, so a conflict on ADD is an exhausted pool
                case 409 -> new CniError(CniError.POOL_EXHAUSTED, detail);
                case 503 -> new CniError(CniError.TRY_AGAIN, detail);
                default -> new CniError(CniError.REFUSED, "vmaddr API answered " + r.status() + ": " + detail);
            };
        }

        private static boolean isNoNetwork(String detail) {
            return detail.startsWith("no network");
        }

        private String path(boolean podInQuery) {
            String p = "/api/v1/networks/" + enc(network) + "/cni/" + enc(containerId) + "/" + enc(ifname);
            if (podInQuery && args.containsKey("K8S_POD_NAME")) {
                p += "?podNamespace=" + enc(args.getOrDefault("K8S_POD_NAMESPACE", "")) + "&podName=" + enc(args.get("K8S_POD_NAME"));
            }
            return p;
        }

        private void putPod(Map<String, Object> body) {
            if (args.containsKey("K8S_POD_NAME")) {
                body.put("podNamespace", args.get("K8S_POD_NAMESPACE"));
                body.put("podName", args.get("K8S_POD_NAME"));
            }
        }

        /** runtimeConfig.mac (Multus's selection), else MAC= in CNI_ARGS, else the interface's own MAC. */
        private String mac() throws CniError {
            if (conf.get("runtimeConfig") instanceof Map<?, ?> rc && rc.get("mac") instanceof String m && !m.isBlank()) {
                return m;
            }
            String fromArgs = args.get("MAC");
            if (fromArgs != null && !fromArgs.isBlank()) {
                return fromArgs;
            }
            return InterfaceMac.read(netns, ifname, containerId);
        }
    }

    /** {@code K=V;K=V} as libcni passes it. */
    static Map<String, String> cniArgs(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : text.split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
            }
        }
        return m;
    }

    private static String text(Map<?, ?> m, String key) throws CniError {
        Object v = m.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new CniError(CniError.BAD_CONFIG, "ipam." + key + " must be a string, not " + v);
    }

    private static String quote(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
