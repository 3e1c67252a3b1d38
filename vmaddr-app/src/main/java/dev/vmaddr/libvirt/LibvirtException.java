package dev.vmaddr.libvirt;

/**
 * libvirt could not be asked (virsh missing, libvirtd gone, a domain vanished meanwhile), or a
 * domain definition could not be read: the message says which, with {@code file:line} for files.
 */
public final class LibvirtException extends RuntimeException {
    public LibvirtException(String message) {
        super(message);
    }

    public LibvirtException(String message, Throwable cause) {
        super(message, cause);
    }
}
