package dev.vmaddr.vm.export;

/**
 * An export cannot be made from what is stored (a network without a bridge, a NIC that holds no
 * MAC right now). The API answers 409, the CLI exits 1; the message says what is missing.
 */
public final class ExportException extends RuntimeException {
    public ExportException(String message) {
        super(message);
    }
}
