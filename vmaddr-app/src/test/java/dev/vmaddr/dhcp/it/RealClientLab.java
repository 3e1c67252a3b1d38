package dev.vmaddr.dhcp.it;

import dev.vmaddr.testing.netns.Netns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 15's real-client lab, repeatable: every scenario the issue names, with real ISC dhclient,
 * busybox udhcpc and dhcpcd against one {@code vmaddr serve}, run {@code rounds} times; each
 * scenario's passes are counted (the bar: 20 of 20). A scenario keeps its namespace and MAC across
 * rounds, so round 2 onwards also covers a client coming back to the lease it left (sticky address,
 * reservation, or taken over from the other client-id).
 *
 * <p>{@link RealClientLabNetnsTest} runs it in the suite (one round by default);
 * {@code bench/scripts/real-client-lab.sh} runs 20 and prints the tally.
 */
final class RealClientLab {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String CONFIG = """
            dhcp:
              interfaces: [srv0]
              probe: { method: none, timeout: 300ms }
              authoritative: true
            networks:
              - name: lan0
                cidr: 198.18.0.0/24
                gateway: 198.18.0.1
                bridge: srv0
                leaseTime: 12s
                renewTime: 3s
                rebindTime: 10s
                pools: ["198.18.0.100-198.18.0.199"]
                reservations:
                  - { mac: "02:18:aa:00:01:01", ip: 198.18.0.51 }
                  - { mac: "02:18:aa:00:01:02", ip: 198.18.0.52 }
                  - { mac: "02:18:aa:00:01:03", ip: 198.18.0.53 }
                  - { mac: "02:18:aa:00:01:04", ip: 198.18.0.54 }
            """;

    /** One scenario: a name, its client's MAC, and what it does and checks in one round. */
    record Scenario(String name, String mac, Body body) {
    }

    @FunctionalInterface
    interface Body {
        void run(DhcpLab lab, Netns ns, String mac) throws Exception;
    }

    /** Passes per scenario, and the first failures (a few per scenario) with what went wrong. */
    record Tally(int rounds, Map<String, Integer> passes, List<String> failures) {
        boolean allPassed() {
            return passes.values().stream().allMatch(p -> p == rounds);
        }

        String report() {
            StringBuilder b = new StringBuilder("real-client lab, " + rounds + " round(s):\n");
            passes.forEach((name, p) -> b.append(String.format("  %-45s %d of %d%n", name, p, rounds)));
            failures.forEach(f -> b.append("  FAILED ").append(f).append('\n'));
            return b.toString();
        }
    }

    static List<Scenario> scenarios() {
        return List.of(
                new Scenario("dhclient: reservation, no client-id", "02:18:aa:00:01:01", (lab, ns, mac) ->
                        RealClientChecks.boundTo(lab, ns, lab.dhclient(ns), mac, "198.18.0.51", null)),
                new Scenario("udhcpc: reservation, client-id 01+MAC", "02:18:aa:00:01:02", (lab, ns, mac) ->
                        RealClientChecks.boundTo(lab, ns, lab.udhcpc(ns), mac, "198.18.0.52", "01" + mac.replace(":", ""))),
                new Scenario("dhcpcd: reservation, DUID client-id", "02:18:aa:00:01:03", (lab, ns, mac) ->
                        RealClientChecks.boundTo(lab, ns, lab.dhcpcd(ns, List.of("noarp", "duid")), mac, "198.18.0.53", "ff")),
                new Scenario("one MAC, dhclient then udhcpc then dhcpcd (reserved)", "02:18:aa:00:01:04", (lab, ns, mac) ->
                        RealClientChecks.sameMacThreeClients(lab, ns, mac, "198.18.0.54")),
                new Scenario("one MAC, dhclient then udhcpc then dhcpcd (pool)", "02:18:bb:00:01:05", (lab, ns, mac) ->
                        RealClientChecks.sameMacThreeClients(lab, ns, mac, null)),
                new Scenario("dhclient: renew keeps the address", "02:18:bb:00:01:06", (lab, ns, mac) ->
                        RealClientChecks.renews(lab, ns, lab.dhclient(ns), mac)),
                new Scenario("udhcpc: renew keeps the address", "02:18:bb:00:01:07", (lab, ns, mac) ->
                        RealClientChecks.renews(lab, ns, lab.udhcpc(ns), mac)),
                new Scenario("dhcpcd: renew keeps the address", "02:18:bb:00:01:08", (lab, ns, mac) ->
                        RealClientChecks.renews(lab, ns, lab.dhcpcd(ns, List.of("noarp")), mac)),
                new Scenario("dhclient: release (dhclient -r)", "02:18:bb:00:01:09", (lab, ns, mac) ->
                        RealClientChecks.releases(lab, ns, lab.dhclient(ns), mac)),
                new Scenario("udhcpc: release (SIGUSR2)", "02:18:bb:00:01:0a", (lab, ns, mac) ->
                        RealClientChecks.releases(lab, ns, lab.udhcpc(ns), mac)),
                new Scenario("dhcpcd: release (option release, SIGTERM)", "02:18:bb:00:01:0b", (lab, ns, mac) ->
                        RealClientChecks.releases(lab, ns, lab.dhcpcd(ns, List.of("noarp", "release")), mac)));
    }

    /**
     * Runs every scenario {@code rounds} times against the lab's running server, {@code parallel}
     * scenarios at a time (each has its own namespace and MAC). Bounded: a scenario's client waits
     * at most {@link #WAIT} for each event.
     */
    static Tally run(DhcpLab lab, int rounds, int parallel, String only) throws InterruptedException {
        List<Scenario> all = scenarios().stream().filter(s -> only == null || s.name().contains(only)).toList();
        Map<String, Netns> namespaces = new LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            namespaces.put(all.get(i).name(), lab.client("lab" + i, 0, all.get(i).mac()));
        }
        Map<String, Integer> passes = new LinkedHashMap<>();
        all.forEach(s -> passes.put(s.name(), 0));
        List<String> failures = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            for (int round = 1; round <= rounds; round++) {
                List<Future<String>> outcomes = new ArrayList<>();
                for (Scenario s : all) {
                    Netns ns = namespaces.get(s.name());
                    outcomes.add(pool.submit(() -> {
                        try {
                            s.body().run(lab, ns, s.mac());
                            return null;
                        } catch (Throwable t) {
                            return t.toString();
                        } finally {
                            RealClientChecks.reset(ns);
                        }
                    }));
                }
                for (int i = 0; i < all.size(); i++) {
                    String failure;
                    try {
                        failure = outcomes.get(i).get(5, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        failure = e.toString();
                    }
                    String name = all.get(i).name();
                    if (failure == null) {
                        passes.merge(name, 1, Integer::sum);
                    } else if (failures.size() < 20) {
                        String shortened = failure.length() > 1500 ? failure.substring(0, 1500) + "..." : failure;
                        failures.add("round " + round + ", " + name + ": " + shortened);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Tally(rounds, passes, failures);
    }

    private RealClientLab() {
    }
}
