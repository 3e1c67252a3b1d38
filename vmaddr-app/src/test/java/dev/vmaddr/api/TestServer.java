package dev.vmaddr.api;

import dev.vmaddr.config.VmaddrConfig;
import dev.vmaddr.mac.MacPoolSpec;
import dev.vmaddr.serve.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.SplittableRandom;

/** A real {@link Server} (embedded store, HTTP on a free loopback port) in a temporary data directory. */
public final class TestServer implements AutoCloseable {
    public final Path dataDir;
    public final Server server;
    public final String url;
    public final String token;

    public TestServer(Path dataDir) throws Exception {
        this(dataDir, new VmaddrConfig.Api(new VmaddrConfig.Listen("127.0.0.1", 0), dataDir.resolve("api-token")));
    }

    /** With the given API settings; {@link #token} is that of {@code api.tokenFile()}. */
    public TestServer(Path dataDir, VmaddrConfig.Api api) throws Exception {
        this(dataDir, api, Clock.systemUTC());
    }

    /** On a clock the test moves (e.g. {@code testing.MutableClock}), HTTP on a free loopback port. */
    public TestServer(Path dataDir, Clock clock) throws Exception {
        this(dataDir, new VmaddrConfig.Api(new VmaddrConfig.Listen("127.0.0.1", 0), dataDir.resolve("api-token")), clock);
    }

    public TestServer(Path dataDir, VmaddrConfig.Api api, Clock clock) throws Exception {
        this.dataDir = dataDir;
        VmaddrConfig cfg = new VmaddrConfig("test", dataDir, VmaddrConfig.StoreKind.EMBEDDED, null, api, null,
                MacPoolSpec.defaults(), List.of(), VmaddrConfig.Log.DEFAULT);
        this.server = new Server(cfg, clock, new SplittableRandom(42), List.of()).start();
        this.url = server.apiUrl();
        this.token = Files.readString(api.tokenFile()).strip();
    }

    /** With a whole config (e.g. the PostgreSQL store, named tokens); {@link #token} is that of {@code api.tokenFile()}. */
    public TestServer(VmaddrConfig cfg) throws Exception {
        this.dataDir = cfg.dataDir();
        this.server = new Server(cfg, Clock.systemUTC(), new SplittableRandom(42), List.of()).start();
        this.url = server.apiUrl();
        this.token = Files.readString(cfg.api().tokenFile()).strip();
    }

    @Override
    public void close() {
        server.close();
    }
}
