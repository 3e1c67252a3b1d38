package dev.vmaddr.cli;

import dev.vmaddr.model.NetworkSpec;
import java.nio.file.Path;
import java.util.List;

/** Loads vmaddr's networks from a config file; supplied by whoever registers the commands (config parser). */
@FunctionalInterface
public interface NetworkSource {
    List<NetworkSpec> load(Path configFile) throws Exception;
}
