package dev.vmaddr.addr;

/** Thrown when text is not a valid address, prefix or range. The message names the offending input. */
public final class AddressFormatException extends IllegalArgumentException {
    private final String input;

    public AddressFormatException(String kind, String input, String problem) {
        super("invalid " + kind + " \"" + input + "\": " + problem);
        this.input = input;
    }

    public String input() {
        return input;
    }
}
