package dev.vmaddr.cli;

import dev.vmaddr.config.ConfigException;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.serve.TokenFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a client command finds the server: {@code --api URL --token-file F}, or {@code --config FILE}
 * (the file's api.listen and api.tokenFile), or the built-in default (127.0.0.1:8067 with
 * ./vmaddr-data/api-token, what {@code vmaddr serve} without a file uses). Plus {@code --output}.
 */
public final class ClientOptions {
    @Option(names = "--api", paramLabel = "URL",
            description = "Server base URL (no /api/v1): http://127.0.0.1:8067, https://HOST:PORT or unix:/run/vmaddr/api.sock.")
    String api;

    @Option(names = "--ca-file", paramLabel = "FILE", description = "PEM CA certificate(s) to trust for an https:// server (a private CA).")
    Path caFile;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the API token (default: the config's api.tokenFile).")
    Path tokenFile;

    @Option(names = "--config", paramLabel = "FILE", description = "Config file: talk to the server at its api.listen with its api.tokenFile.")
    Path config;

    @Mixin
    OutputOption output;

    public ApiClient client() {
        VmaddrConfig cfg = loadConfig();
        String url = api != null ? api : serverUrl(cfg);
        Path tf = tokenFile != null ? tokenFile : cfg.api().tokenFile();
        String token;
        try {
            token = TokenFile.read(tf);
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot read the API token from " + tf + " (" + e.getMessage()
                    + "); pass --token-file or --config");
        }
        return new ApiClient(url, token, caFile);
    }

    /**
     * Runs {@code reader} on the store itself when {@code --config} names the server (no {@code --api})
     * and nothing answers at its {@code api.listen}; returns false when a server answers (use the API).
     */
    boolean readStoreIfNoServer(java.util.function.Consumer<dev.vmaddr.store.Store> reader) {
        if (config == null || api != null) {
            return false;
        }
        VmaddrConfig cfg = loadConfig();
        String url = serverUrl(cfg);
        if (new ApiClient(url, null, caFile).reachable()) {
            return false;
        }
        OfflineStore.read(cfg, url, reader);
        return true;
    }

    /** Read once: a command that looks for a server and then talks to it needs the file twice. */
    private VmaddrConfig loaded;

    private VmaddrConfig loadConfig() {
        if (loaded == null) {
            try {
                loaded = config == null ? VmaddrConfig.defaults() : ConfigLoader.load(config);
            } catch (ConfigException e) {
                throw new CliException(CliException.BAD_INPUT, String.join("\n", e.lines()));
            }
        }
        return loaded;
    }

    private static String serverUrl(VmaddrConfig cfg) {
        VmaddrConfig.Listen l = cfg.api().listen();
        if (l.isUnix()) {
            return "unix:" + l.socket();
        }
        return (cfg.api().tls() != null ? "https://" : "http://") + connectHost(l);
    }

    /** A wildcard listen address is reached through loopback. */
    private static String connectHost(VmaddrConfig.Listen l) {
        String host = l.host().equals("0.0.0.0") ? "127.0.0.1" : l.host().equals("::") ? "::1" : l.host();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + l.port();
    }
}
