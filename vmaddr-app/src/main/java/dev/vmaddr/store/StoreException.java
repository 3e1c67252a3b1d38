package dev.vmaddr.store;

/**
 * A write could not be made durable, or the store cannot be read. Nothing was acknowledged: callers
 * must not grant what they failed to store.
 */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
