package dev.vmaddr.cni.plugin;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The AOT cache's training run ({@code dev.vmaddr.cni.AotTraining}): one ADD per server given
 * ({@code http://…} and {@code unix:/…}, each answered by a canned response), in one JVM, so the
 * cache holds the classes of both transports; a plugin configured with either starts from the cache
 * alone. Exit 0 only when every ADD succeeded (else no cache is kept).
 */
public final class TrainingRun {
    private TrainingRun() {}

    public static void main(String[] servers) {
        PrintStream out = CniPlugin.stdout(); // as the plugin's main does (AotTraining discards it)
        CniPlugin.watchdog(out);
        int rc = 0;
        for (String server : servers) {
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"training\",\"type\":\"macvlan\",\"ipam\":{\"type\":\"vmaddr\","
                    + "\"network\":\"training\",\"server\":\"" + server + "\"}}";
            Map<String, String> env = new HashMap<>(System.getenv()); // as the plugin reads it: its classes go in the cache
            env.putAll(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "training", "CNI_IFNAME", "net1",
                    "CNI_ARGS", "IgnoreUnknown=1;MAC=02:00:00:00:00:01"));
            rc |= CniPlugin.run(env, conf.getBytes(StandardCharsets.UTF_8), out);
        }
        out.flush();
        System.exit(rc);
    }
}
