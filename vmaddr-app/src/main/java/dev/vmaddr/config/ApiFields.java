package dev.vmaddr.config;

import dev.vmaddr.config.VmaddrConfig.Api;
import dev.vmaddr.config.VmaddrConfig.ApiToken;
import dev.vmaddr.config.VmaddrConfig.Listen;
import dev.vmaddr.config.VmaddrConfig.Tls;
import dev.vmaddr.config.VmaddrConfig.TokenScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code api:} section: listener, tokens, TLS. {@code tokenFile} (admin, named "admin") and
 * {@code readOnlyTokenFile} (read, named "read") are shorthand for entries of the general
 * {@code tokens: [{name, file, scope}]}. Without {@code tokens:} there is always the admin token
 * (in {@code dataDir/api-token} unless {@code tokenFile} says otherwise), as before tokens had names;
 * with {@code tokens:}, only the tokens the file names.
 */
final class ApiFields {
    /** Names appear in logs and history as {@code api:<name>}: short, no spaces, no quoting needed. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private ApiFields() {}

    static Api read(Fields af, Path dataDir, Listen defaultListen) {
        Problems problems = af == null ? new Problems() : af.problems();
        Path defaultTokenFile = dataDir.resolve("api-token");
        if (af == null) {
            return new Api(defaultListen, defaultTokenFile);
        }
        Listen listen = orElse(af.value("listen", Listen::parse), defaultListen);
        Path tokenFile = af.value("tokenFile", Path::of);
        Path readOnly = af.value("readOnlyTokenFile", Path::of);
        String socketGroup = af.value("socketGroup", s -> {
            if (!NAME.matcher(s).matches()) {
                throw new IllegalArgumentException("\"" + s + "\" is not a group name");
            }
            return s;
        });

        List<ApiToken> tokens = new ArrayList<>();
        List<String> tokenFields = new ArrayList<>();
        boolean general = af.has("tokens");
        if (tokenFile != null || !general) {
            tokens.add(new ApiToken(ApiToken.ADMIN, tokenFile != null ? tokenFile : defaultTokenFile, TokenScope.ADMIN));
            tokenFields.add(af.field("tokenFile"));
        }
        if (readOnly != null) {
            tokens.add(new ApiToken(ApiToken.READ, readOnly, TokenScope.READ));
            tokenFields.add(af.field("readOnlyTokenFile"));
        }
        for (Fields tf : af.children("tokens")) {
            ApiToken t = token(tf);
            if (t != null) {
                tokens.add(t);
                tokenFields.add(tf.path());
            }
        }
        if (general && tokens.isEmpty() && problems.isEmpty()) {
            problems.add(af.line("tokens"), af.field("tokens"), "names no token");
        }
        checkUnique(tokens, tokenFields, problems);

        Tls tls = null;
        Fields tlsf = af.child("tls");
        if (tlsf != null) {
            Path cert = tlsf.required("cert", Path::of);
            Path key = tlsf.required("key", Path::of);
            tlsf.rejectUnknown();
            if (cert != null && key != null) {
                tls = new Tls(cert, key);
            }
            if (listen.isUnix()) {
                problems.add(af.line("tls"), af.field("tls"), "is for HOST:PORT listeners; a unix socket needs no TLS");
            }
        }
        if (socketGroup != null && !listen.isUnix()) {
            problems.add(af.line("socketGroup"), af.field("socketGroup"), "applies only to a unix:/path listener");
        }
        af.rejectUnknown();
        if (!problems.isEmpty()) {
            return null;
        }
        Path clientDefault = tokens.stream().filter(t -> t.scope() == TokenScope.ADMIN).findFirst()
                .orElse(tokens.getFirst()).file();
        return new Api(listen, clientDefault, tokens, tls, socketGroup);
    }

    private static ApiToken token(Fields tf) {
        String name = tf.required("name", s -> {
            if (!NAME.matcher(s).matches()) {
                throw new IllegalArgumentException("\"" + s + "\" is not a token name (letters, digits, . _ -; at most 63)");
            }
            return s;
        });
        Path file = tf.required("file", Path::of);
        TokenScope scope = tf.required("scope", s -> switch (s) {
            case "admin" -> TokenScope.ADMIN;
            case "read" -> TokenScope.READ;
            default -> throw new IllegalArgumentException("must be admin or read, not \"" + s + "\"");
        });
        tf.rejectUnknown();
        return name == null || file == null || scope == null ? null : new ApiToken(name, file, scope);
    }

    /** Two tokens with one name could not be told apart in the history; two with one file would be one secret. */
    private static void checkUnique(List<ApiToken> tokens, List<String> fields, Problems problems) {
        Map<String, String> names = new HashMap<>();
        Map<Path, String> files = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            ApiToken t = tokens.get(i);
            String field = fields.get(i);
            String nameTwin = names.putIfAbsent(t.name(), field);
            if (nameTwin != null) {
                problems.add(field, "token name \"" + t.name() + "\" is already used by " + nameTwin);
            }
            String fileTwin = files.putIfAbsent(t.file().toAbsolutePath().normalize(), field);
            if (fileTwin != null) {
                problems.add(field, "token file " + t.file() + " is already used by " + fileTwin);
            }
        }
    }

    private static <T> T orElse(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
