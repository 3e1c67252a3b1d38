package dev.vmaddr.vm.export;

import java.util.Locale;

/** The {@code format} of {@code GET /vms/{v}/export} and {@code /networks/{n}/export}, with its media type. */
public enum ExportFormat {
    LIBVIRT("application/xml"),
    QEMU("text/plain"),
    KUBEVIRT("application/yaml"),
    NAD("application/yaml");

    private final String mediaType;

    ExportFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ExportFormat fromWireName(String s) {
        for (ExportFormat f : values()) {
            if (f.wireName().equals(s)) {
                return f;
            }
        }
        throw new IllegalArgumentException("format must be libvirt, qemu, kubevirt or nad, not \"" + s + "\"");
    }
}
