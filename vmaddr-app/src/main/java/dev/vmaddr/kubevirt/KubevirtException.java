package dev.vmaddr.kubevirt;

/** A KubeVirt manifest could not be read: the message starts with {@code file:line:}. */
public final class KubevirtException extends RuntimeException {
    public KubevirtException(String file, int line, String message) {
        this(file + ":" + line, message);
    }

    /** @param where {@code file:line} */
    public KubevirtException(String where, String message) {
        super(where + ": " + message);
    }
}
