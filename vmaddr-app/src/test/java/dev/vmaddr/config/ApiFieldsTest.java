package dev.vmaddr.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.config.VmaddrConfig.ApiToken;
import dev.vmaddr.config.VmaddrConfig.TokenScope;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The api: section's tokens, TLS and unix socket keys, and their file:line errors. */
class ApiFieldsTest {
    static List<String> errors(String yaml) {
        try {
            ConfigLoader.parse("t.yaml", yaml);
        } catch (ConfigException e) {
            return e.lines();
        }
        throw new AssertionError("no error for:\n" + yaml);
    }

    @Test
    void withoutApiKeysThereIsOneAdminTokenInTheDataDir() {
        VmaddrConfig c = ConfigLoader.parse("t.yaml", "dataDir: /d\n");
        assertThat(c.api().tokens()).containsExactly(new ApiToken("admin", Path.of("/d/api-token"), TokenScope.ADMIN));
        assertThat(c.api().tokenFile()).isEqualTo(Path.of("/d/api-token"));
        assertThat(c.api().tls()).isNull();
    }

    @Test
    void theTwoFileKeysAreShorthandForNamedTokens() {
        VmaddrConfig c = ConfigLoader.parse("t.yaml", """
                api:
                  tokenFile: /etc/vmaddr/admin
                  readOnlyTokenFile: /etc/vmaddr/ro
                  tokens:
                    - { name: ci, file: /etc/vmaddr/ci, scope: read }
                    - { name: hv-7, file: /etc/vmaddr/hv7, scope: admin }
                """);
        assertThat(c.api().tokens()).containsExactly(
                new ApiToken("admin", Path.of("/etc/vmaddr/admin"), TokenScope.ADMIN),
                new ApiToken("read", Path.of("/etc/vmaddr/ro"), TokenScope.READ),
                new ApiToken("ci", Path.of("/etc/vmaddr/ci"), TokenScope.READ),
                new ApiToken("hv-7", Path.of("/etc/vmaddr/hv7"), TokenScope.ADMIN));
        assertThat(c.api().tokenFile()).isEqualTo(Path.of("/etc/vmaddr/admin"));
    }

    @Test
    void withTokensListedOnlyThoseAreAcceptedAndClientsDefaultToTheFirstAdmin() {
        VmaddrConfig c = ConfigLoader.parse("t.yaml", """
                api:
                  tokens:
                    - { name: viewer, file: /t/v, scope: read }
                    - { name: boss, file: /t/b, scope: admin }
                """);
        assertThat(c.api().tokens()).extracting(ApiToken::name).containsExactly("viewer", "boss");
        assertThat(c.api().tokenFile()).isEqualTo(Path.of("/t/b"));
    }

    @Test
    void unixSocketAndTls() {
        VmaddrConfig unix = ConfigLoader.parse("t.yaml", "api:\n  listen: unix:/run/vmaddr/api.sock\n  socketGroup: vmaddr\n");
        assertThat(unix.api().listen().isUnix()).isTrue();
        assertThat(unix.api().listen().socket()).isEqualTo(Path.of("/run/vmaddr/api.sock"));
        assertThat(unix.api().listen().toString()).isEqualTo("unix:/run/vmaddr/api.sock");
        assertThat(unix.api().socketGroup()).isEqualTo("vmaddr");
        VmaddrConfig tls = ConfigLoader.parse("t.yaml", "api:\n  listen: 0.0.0.0:8443\n  tls: { cert: /t/s.pem, key: /t/s.key }\n");
        assertThat(tls.api().tls()).isEqualTo(new VmaddrConfig.Tls(Path.of("/t/s.pem"), Path.of("/t/s.key")));
    }

    @Test
    void problemsNameFileLineAndField() {
        assertThat(errors("""
                api:
                  tokens:
                    - { name: "a b", file: /t/1, scope: read }
                    - { name: ok, scope: write }
                    - { name: ok2, file: /t/1, scope: admin, extra: 1 }
                """)).containsExactlyInAnyOrder(
                "t.yaml:3: api.tokens[0].name: \"a b\" is not a token name (letters, digits, . _ -; at most 63)",
                "t.yaml:4: api.tokens[1].file: is required",
                "t.yaml:4: api.tokens[1].scope: must be admin or read, not \"write\"",
                "t.yaml:5: api.tokens[2].extra: unknown key");
        assertThat(errors("api:\n  tokenFile: /t/x\n  tokens:\n    - { name: admin, file: /t/y, scope: read }\n"))
                .containsExactly("t.yaml:4: api.tokens[0]: token name \"admin\" is already used by api.tokenFile");
        assertThat(errors("api:\n  readOnlyTokenFile: /t/x\n  tokens:\n    - { name: c, file: /t/x, scope: read }\n"))
                .containsExactly("t.yaml:4: api.tokens[0]: token file /t/x is already used by api.readOnlyTokenFile");
        assertThat(errors("api:\n  listen: unix:/s\n  tls: { cert: /c, key: /k }\n"))
                .containsExactly("t.yaml:3: api.tls: is for HOST:PORT listeners; a unix socket needs no TLS");
        assertThat(errors("api:\n  listen: 127.0.0.1:1\n  socketGroup: g\n"))
                .containsExactly("t.yaml:3: api.socketGroup: applies only to a unix:/path listener");
        assertThat(errors("api:\n  tls: { cert: /c }\n")).containsExactly("t.yaml:2: api.tls.key: is required");
        assertThat(errors("api:\n  listen: \"unix:\"\n")).containsExactly("t.yaml:2: api.listen: \"unix:\" names no socket path, e.g. unix:/run/vmaddr/api.sock");
        assertThat(errors("api:\n  tokens: []\n")).containsExactly("t.yaml:2: api.tokens: names no token");
    }

    @Test
    void anApiWithoutTokensOrWithTlsOnASocketCannotBeBuilt() {
        assertThatThrownBy(() -> new VmaddrConfig.Api(VmaddrConfig.DEFAULT_LISTEN, Path.of("t"), List.of(), null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VmaddrConfig.Api(VmaddrConfig.Listen.unix(Path.of("/s")), Path.of("t"),
                List.of(new ApiToken("admin", Path.of("t"), TokenScope.ADMIN)), new VmaddrConfig.Tls(Path.of("c"), Path.of("k")), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
