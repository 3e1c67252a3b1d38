package dev.vmaddr.hostnet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs host tools ({@code ip}, {@code bridge}, {@code arping}, {@code ping}, {@code nft}, {@code sysctl} ...).
 * The connectivity check and the doctor only see the host through this, so the same code runs on the
 * host or inside a network namespace ({@link #inNetns}), which is how the tests drive it.
 * Implementations must be safe to call from several threads at once.
 */
public interface CommandRunner {
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    CommandResult run(List<String> argv, Duration timeout);

    default CommandResult run(String... argv) {
        return run(List.of(argv), DEFAULT_TIMEOUT);
    }

    /** The namespace commands run in, or null for the runner's own. */
    default String netns() {
        return null;
    }

    /** The runner without any namespace wrapping: namespace management (ip netns add/del) must run there,
     *  because {@code ip netns exec} gives its child a private mount table that hides new /run/netns entries. */
    default CommandRunner root() {
        return this;
    }

    /** A runner whose commands run inside network namespace {@code ns} ({@code ip netns exec ns ...}). */
    default CommandRunner inNetns(String ns) {
        if (ns == null) {
            return this;
        }
        CommandRunner outer = this;
        return new CommandRunner() {
            @Override
            public CommandResult run(List<String> argv, Duration timeout) {
                List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
                full.addAll(argv);
                return outer.run(full, timeout);
            }

            @Override
            public String netns() {
                return ns;
            }

            @Override
            public CommandRunner root() {
                return outer.root();
            }

            @Override
            public CommandRunner inNetns(String other) {
                return other == null ? this : outer.inNetns(other);
            }
        };
    }
}
