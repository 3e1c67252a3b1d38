package dev.vmaddr.nad;

/** A NetworkAttachmentDefinition that cannot be read at all. The message names the field (YAML path). */
public final class NadFormatException extends IllegalArgumentException {
    private final String field;

    public NadFormatException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
