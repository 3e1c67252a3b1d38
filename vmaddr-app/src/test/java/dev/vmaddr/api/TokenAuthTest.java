package dev.vmaddr.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vmaddr.config.VmaddrConfig.TokenScope;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthTest {
    final TokenAuth auth = new TokenAuth(List.of(
            new TokenAuth.Secret("admin", TokenScope.ADMIN, "0123456789abcdef"),
            new TokenAuth.Secret("ci", TokenScope.READ, "fedcba9876543210\n")));

    @Test
    void eachTokenNamesItsCaller() {
        assertThat(auth.authenticate("Bearer 0123456789abcdef")).isEqualTo(new ApiCaller("admin", TokenScope.ADMIN));
        assertThat(auth.authenticate("bearer  fedcba9876543210 ")).isEqualTo(new ApiCaller("ci", TokenScope.READ));
        assertThat(auth.authenticate("Bearer fedcba9876543210").actor()).isEqualTo("api:ci");
    }

    @Test
    void prefixesExtensionsOtherSchemesAndNothingAreNobody() {
        for (String header : new String[] {null, "", "Bearer", "Bearer ", "Bearer 0123456789abcde", "Bearer 0123456789abcdef0",
                "Basic 0123456789abcdef", "0123456789abcdef", "Bearer 0123456789ABCDEF"}) {
            assertThat(auth.authenticate(header)).as(String.valueOf(header)).isNull();
        }
    }

    @Test
    void anEmptyTokenIsRefusedAtStart() {
        assertThatThrownBy(() -> new TokenAuth.Secret("x", TokenScope.ADMIN, " \n")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenAuth(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
