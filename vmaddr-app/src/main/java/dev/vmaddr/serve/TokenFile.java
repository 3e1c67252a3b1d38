package dev.vmaddr.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The API token file: read it, or create it (mode 0600, 32 random bytes as hex) when absent. */
public final class TokenFile {
    private TokenFile() {}

    public static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes); // a credential: always from the OS's secure source, not the injected generator
            String token = HexFormat.of().formatHex(bytes);
            try {
                // Created with 0600 from the start, so the token is never readable by others even briefly.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, token + "\n");
                return token;
            } catch (FileAlreadyExistsException e) {
                // another process created it first: use theirs
            }
        }
        return read(file);
    }

    public static String read(Path file) throws IOException {
        String token = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IOException("token file " + file + " is empty");
        }
        return token;
    }
}
