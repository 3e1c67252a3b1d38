package dev.vmaddr.cni.plugin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A CNI error: printed as {@code {"cniVersion","code","msg","details"}} on stdout with a non-zero
 * exit. Codes 1-11 and 50 are the spec's (1.1.0, "Error codes"); 100 and up are vmaddr's (PRODUCT.md).
 */
final class CniError extends Exception {
    static final int INCOMPATIBLE_VERSION = 1;
    static final int INVALID_ENV = 4;
    static final int IO_FAILURE = 5;
    static final int DECODE = 6;
    static final int BAD_CONFIG = 7;
    static final int TRY_AGAIN = 11;
    /** STATUS (CNI 1.1): the plugin cannot serve ADD now (server unreachable, no such network, no free address). */
    static final int NOT_AVAILABLE = 50;
    /** ADD found no free address in the network's pools. */
    static final int POOL_EXHAUSTED = 101;
    /** CHECK: the server holds another address (or none) for this attachment than the runtime's cached result. */
    static final int CHECK_MISMATCH = 102;
    /** The server refused the request for a reason none of the above names (its problem detail is the message). */
    static final int REFUSED = 103;

    final int code;
    final String details;

    CniError(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details;
    }

    CniError(int code, String msg) {
        this(code, msg, null);
    }

    String toJson(String cniVersion) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cniVersion", cniVersion);
        m.put("code", (long) code);
        m.put("msg", getMessage());
        if (details != null) {
            m.put("details", details);
        }
        return MiniJson.write(m);
    }
}
