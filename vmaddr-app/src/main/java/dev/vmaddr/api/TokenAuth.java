package dev.vmaddr.api;

import dev.vmaddr.config.VmaddrConfig.ApiToken;
import dev.vmaddr.config.VmaddrConfig.TokenScope;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against the server's named tokens.
 *
 * <p>Constant time: the given token and every known one are compared as SHA-256 digests (equal
 * length, so {@link MessageDigest#isEqual} does not stop at the first differing byte or on a length
 * mismatch), and every known token is compared even after a match, so the time says neither how
 * much of a token was right nor which token matched.
 */
public final class TokenAuth {
    /** A token's name and scope with its secret (the content of its file). */
    public record Secret(String name, TokenScope scope, String value) {
        public Secret {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("API token \"" + name + "\" is empty");
            }
        }

        public static Secret of(ApiToken token, String value) {
            return new Secret(token.name(), token.scope(), value);
        }
    }

    private record Known(ApiCaller caller, byte[] digest) {}

    private final List<Known> known;

    public TokenAuth(List<Secret> secrets) {
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("no API token");
        }
        this.known = secrets.stream().map(s -> new Known(new ApiCaller(s.name(), s.scope()), digest(s.value().strip()))).toList();
    }

    /** One admin token named "admin". */
    public TokenAuth(String adminToken) {
        this(List.of(new Secret(ApiToken.ADMIN, TokenScope.ADMIN, adminToken)));
    }

    /** The caller whose token the header carries; null when there is no bearer token or it matches none. */
    public ApiCaller authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] given = digest(authorizationHeader.substring(7).strip());
        ApiCaller match = null;
        for (Known k : known) {
            if (MessageDigest.isEqual(k.digest(), given) && match == null) {
                match = k.caller();
            }
        }
        return match;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
