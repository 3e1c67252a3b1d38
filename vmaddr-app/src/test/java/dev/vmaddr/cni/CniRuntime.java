package dev.vmaddr.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vmaddr.testing.netns.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What libcni (and Multus on top of it) does with a network config list, since Debian has no
 * cnitool: for each plugin, copy {@code name} and {@code cniVersion} in, put {@code runtimeConfig}
 * only into plugins that declare the matching capability (and drop {@code capabilities}), feed the
 * previous result as {@code prevResult}; CHECK and DEL with the cached result, DEL in reverse order.
 * Plugins run inside {@code node}, the namespace that holds the master interface, exactly as a
 * runtime on that host execs them.
 *
 * @param multus when true, also pass {@code MAC=} in CNI_ARGS as Multus does for a selection with a MAC
 */
public record CniRuntime(Netns node, Path pluginDir, boolean multus) {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Path DEBIAN_PLUGINS = Path.of("/usr/lib/cni");

    /** One plugin's exit code and stdout (a result or a CNI error). */
    public record PluginRun(String type, int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError(type + " printed no JSON: " + stdout + " / " + stderr, e);
            }
        }
    }

    /** A pod's attachment: container id, its network namespace path, interface, CNI_ARGS pairs and the requested MAC. */
    public record Attachment(String containerId, String netnsPath, String ifname, Map<String, String> args, String mac) {}

    /** ADD through the chain; the last plugin's run is the chain's result (the first failure stops it). */
    public PluginRun add(String conflist, Attachment a) {
        JsonNode prev = null;
        PluginRun last = null;
        for (ObjectNode plugin : plugins(conflist, a, null)) {
            if (prev != null) {
                plugin.set("prevResult", prev);
            }
            last = exec("ADD", plugin, a);
            if (last.exitCode() != 0) {
                return last;
            }
            prev = last.json();
        }
        return last;
    }

    public PluginRun check(String conflist, Attachment a, JsonNode cached) {
        PluginRun last = null;
        for (ObjectNode plugin : plugins(conflist, a, cached)) {
            last = exec("CHECK", plugin, a);
            if (last.exitCode() != 0) {
                return last;
            }
        }
        return last;
    }

    /** DEL in reverse order, every plugin with the cached result; returns the first failure, else the last run. */
    public PluginRun del(String conflist, Attachment a, JsonNode cached) {
        List<ObjectNode> plugins = plugins(conflist, a, cached);
        PluginRun failure = null;
        PluginRun last = null;
        for (int i = plugins.size() - 1; i >= 0; i--) {
            last = exec("DEL", plugins.get(i), a);
            if (last.exitCode() != 0 && failure == null) {
                failure = last;
            }
        }
        return failure != null ? failure : last;
    }

    /**
     * A command that names no container (CNI 1.1 STATUS, GC) sent to the IPAM plugin {@code ipamConf}
     * names, as a main plugin delegates it (Debian's 1.1.1 main plugins predate 1.1, so the test stands
     * in for them): the network's name, {@code cniVersion}, the main plugin's type, the IPAM section,
     * and for GC {@code cni.dev/valid-attachments} as libcni passes it.
     */
    public PluginRun delegate(String command, String name, String ipamConf, List<Attachment> valid) {
        ObjectNode conf = JSON.createObjectNode().put("cniVersion", "1.1.0").put("name", name).put("type", "macvlan");
        try {
            conf.set("ipam", JSON.readTree(ipamConf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (valid != null) {
            var list = conf.putArray("cni.dev/valid-attachments");
            valid.forEach(a -> list.addObject().put("containerID", a.containerId()).put("ifname", a.ifname()));
        }
        return run(List.of("CNI_COMMAND=" + command, "CNI_PATH=" + DEBIAN_PLUGINS + ":" + pluginDir),
                pluginDir.resolve(conf.path("ipam").path("type").asText()), conf, command);
    }

    private List<ObjectNode> plugins(String conflist, Attachment a, JsonNode prevResult) {
        JsonNode list;
        try {
            list = JSON.readTree(conflist);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<JsonNode> raw = new ArrayList<>();
        if (list.has("plugins")) {
            list.get("plugins").forEach(raw::add);
        } else {
            raw.add(list);
        }
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode p : raw) {
            ObjectNode c = p.deepCopy();
            c.put("name", list.path("name").asText());
            c.put("cniVersion", list.path("cniVersion").asText());
            JsonNode caps = c.remove("capabilities");
            if (a.mac() != null && caps != null && caps.path("mac").asBoolean(false)) {
                c.putObject("runtimeConfig").put("mac", a.mac());
            }
            if (prevResult != null) {
                c.set("prevResult", prevResult);
            }
            out.add(c);
        }
        return out;
    }

    private PluginRun exec(String command, ObjectNode plugin, Attachment a) {
        String type = plugin.path("type").asText();
        StringBuilder args = new StringBuilder("IgnoreUnknown=1");
        a.args().forEach((k, v) -> args.append(';').append(k).append('=').append(v));
        if (multus && a.mac() != null) {
            args.append(";MAC=").append(a.mac());
        }
        Path bin = DEBIAN_PLUGINS.resolve(type).toFile().canExecute() ? DEBIAN_PLUGINS.resolve(type) : pluginDir.resolve(type);
        return run(List.of("CNI_COMMAND=" + command, "CNI_CONTAINERID=" + a.containerId(), "CNI_NETNS=" + a.netnsPath(),
                "CNI_IFNAME=" + a.ifname(), "CNI_ARGS=" + args, "CNI_PATH=" + DEBIAN_PLUGINS + ":" + pluginDir), bin, plugin, command);
    }

    /** Execs {@code bin} in the node namespace with only {@code env} (and PATH), {@code plugin} on stdin. */
    private PluginRun run(List<String> env, Path bin, ObjectNode plugin, String command) {
        String type = plugin.path("type").asText();
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", node.name(), "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
        cmd.addAll(env);
        cmd.add(bin.toString());
        try {
            Process p = new ProcessBuilder(cmd).start();
            try (var in = p.getOutputStream()) {
                in.write(JSON.writeValueAsBytes(plugin));
            }
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(type + " " + command + " did not finish in 60 s");
            }
            return new PluginRun(type, p.exitValue(), out.strip(), err.get(5, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(type + " " + command + ": " + e, e);
        }
    }
}
