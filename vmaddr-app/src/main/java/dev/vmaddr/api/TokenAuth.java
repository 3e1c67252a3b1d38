package dev.vmaddr.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks {@code Authorization: Bearer <token>} against the server's token in constant time. */
public final class TokenAuth {
    private final byte[] token;

    public TokenAuth(String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("API token is empty");
        }
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    public boolean accepts(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token, given);
    }
}
