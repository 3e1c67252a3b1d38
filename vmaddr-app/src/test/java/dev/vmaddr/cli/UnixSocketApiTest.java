package dev.vmaddr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.api.TestServer;
import dev.vmaddr.cni.plugin.MiniHttp;
import dev.vmaddr.config.VmaddrConfig;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API on a real unix socket: its mode and group, the CLI with {@code --api unix:/path}, stale and live sockets. */
class UnixSocketApiTest {
    @TempDir
    Path dir;
    TestServer srv;

    @AfterEach
    void stop() {
        if (srv != null) {
            srv.close();
        }
    }

    Path socket() {
        return dir.resolve("run/api.sock");
    }

    TestServer start(String group) throws Exception {
        Path data = dir.resolve("data");
        VmaddrConfig.Api api = new VmaddrConfig.Api(VmaddrConfig.Listen.unix(socket()), data.resolve("api-token"),
                new VmaddrConfig.Api(VmaddrConfig.DEFAULT_LISTEN, data.resolve("api-token")).tokens(), null, group);
        return new TestServer(data, api);
    }

    CliRun vmaddr(String... args) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--api", "unix:" + socket(), "--token-file", srv.dataDir.resolve("api-token").toString()))
                .toArray(String[]::new);
        return CliRun.offline(all);
    }

    @Test
    void theSocketIsMode0660WithTheConfiguredGroup() throws Exception {
        String group = Files.readAttributes(dir, PosixFileAttributes.class).group().getName();
        srv = start(group);
        assertThat(srv.url).isEqualTo("unix:" + socket());
        PosixFileAttributes a = Files.readAttributes(socket(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(a.isOther()).as("a socket").isTrue();
        assertThat(PosixFilePermissions.toString(a.permissions())).isEqualTo("rw-rw----");
        assertThat(a.group().getName()).isEqualTo(group);
    }

    @Test
    void theCliWorksOverTheSocket() throws Exception {
        srv = start(null);
        CliRun create = vmaddr("network", "create", "u1", "--cidr", "198.18.20.0/22", "--pool", "198.18.20.10-198.18.23.250", "-o", "json");
        assertThat(create.exit()).as(create.err()).isZero();
        assertThat(create.json().path("name").asText()).isEqualTo("u1");
        for (int i = 0; i < 1005; i++) { // more than a page: a long answer, read to its end
            srv.server.engine().allocate("u1", dev.vmaddr.ipam.AllocationRequest.of(new dev.vmaddr.addr.MacAddress(0x021800000000L + i)));
        }
        CliRun leases = vmaddr("lease", "list", "--network", "u1", "-o", "json");
        assertThat(leases.exit()).as(leases.err()).isZero();
        assertThat(leases.json()).hasSize(1005);
        assertThat(vmaddr("network", "delete", "u1").exit()).isZero();
        CliRun gone = vmaddr("network", "show", "u1");
        assertThat(gone.exit()).isEqualTo(1);
        assertThat(gone.err()).contains("not found");
    }

    @Test
    void aClientWithTheServersConfigFileFindsTheSocket() throws Exception {
        srv = start(null);
        Path config = dir.resolve("vmaddr.yaml");
        Files.writeString(config, "dataDir: " + srv.dataDir + "\napi:\n  listen: unix:" + socket() + "\n");
        CliRun list = CliRun.offline("network", "list", "--config", config.toString(), "-o", "json");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.json().isArray()).isTrue();
    }

    @Test
    void theSocketStillNeedsAToken() throws Exception {
        srv = start(null);
        String server = "unix:" + socket();
        MiniHttp.Response none = MiniHttp.send(server, "GET", "/api/v1/networks", Map.of(), null, Duration.ofSeconds(10));
        assertThat(none.status()).isEqualTo(401);
        assertThat(MiniHttp.send(server, "GET", "/healthz", Map.of(), null, Duration.ofSeconds(10)).body()).contains("ok");
        MiniHttp.Response ok = MiniHttp.send(server, "GET", "/api/v1/networks", Map.of("Authorization", "Bearer " + srv.token),
                null, Duration.ofSeconds(10));
        assertThat(ok.status()).isEqualTo(200);
    }

    @Test
    void aStaleSocketIsReplacedAndALiveOneIsNot() throws Exception {
        Files.createDirectories(socket().getParent());
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket()));
        } // closed, file left behind: what a killed server leaves
        assertThat(socket()).exists();
        srv = start(null);
        assertThat(new ApiClient("unix:" + socket(), srv.token).reachable()).isTrue();
        assertThatThrownBy(() -> new TestServer(dir.resolve("data2"), new VmaddrConfig.Api(VmaddrConfig.Listen.unix(socket()),
                dir.resolve("data2/api-token"), new VmaddrConfig.Api(VmaddrConfig.DEFAULT_LISTEN, dir.resolve("data2/api-token")).tokens(),
                null, null)))
                .hasStackTraceContaining("another server already listens on " + socket());
        assertThat(new ApiClient("unix:" + socket(), srv.token).reachable()).as("the first server is untouched").isTrue();
    }

    @Test
    void noServerOnTheSocketIsAClearFailure() {
        CliRun r = CliRun.offline("network", "list", "--api", "unix:" + dir.resolve("nothing.sock"), "--token-file",
                writeToken().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no vmaddr server answers at unix:");
    }

    private Path writeToken() {
        try {
            Path t = dir.resolve("t");
            Files.writeString(t, "x\n");
            return t;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
