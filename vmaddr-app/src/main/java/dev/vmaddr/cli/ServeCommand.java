package dev.vmaddr.cli;

import dev.vmaddr.config.ConfigException;
import dev.vmaddr.config.ConfigLoader;
import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.serve.LogLevel;
import dev.vmaddr.serve.Server;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the server: store, API, DHCP (when configured) and background jobs.",
                "Without --config: embedded store in ./vmaddr-data, API on 127.0.0.1:8067, no DHCP.",
                "SIGTERM or Ctrl-C: stop taking work, finish what is in flight, close the store, exit 0."},
        footerHeading = "%nExample:%n", footer = "  vmaddr serve --config /etc/vmaddr/vmaddr.yaml")
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Config file (YAML).")
    Path config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        VmaddrConfig cfg;
        try {
            cfg = config == null ? VmaddrConfig.defaults() : ConfigLoader.load(config);
        } catch (ConfigException e) {
            throw new CliException(CliException.BAD_INPUT, String.join("\n", e.lines()));
        }
        LogLevel.apply(cfg.log().level());
        // Tokens and MACs need unpredictable values; SecureRandom is the process's injected generator.
        Server server = new Server(cfg, Clock.systemUTC(), new SecureRandom(), List.of());
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(server::close, "vmaddr-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Signals.onTermination(stop::countDown);
        try {
            server.start();
        } catch (java.io.IOException | RuntimeException e) {
            server.close();
            throw new CliException(CliException.FAILED, "cannot start: " + e.getMessage());
        }
        if (cfg.api().tls() != null) {
            Signals.onHangup(server::reloadTls); // besides the periodic check of the certificate files
        }
        var err = spec.commandLine().getErr();
        err.println("vmaddr: API listening on " + server.apiUrl() + " (token in " + cfg.api().tokenFile().toAbsolutePath() + ")");
        err.println("vmaddr: store " + cfg.store().name().toLowerCase() + " in " + cfg.dataDir().toAbsolutePath()
                + (cfg.dhcp() == null ? "; no DHCP interfaces configured" : "; DHCP on " + cfg.dhcp().interfaces()));
        err.flush();
        stop.await();
        server.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        // Drains the asynchronous log appender, so the last lines (server.stopped) are written.
        if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logs) {
            logs.stop();
        }
        return 0;
    }
}
