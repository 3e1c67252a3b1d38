package dev.vmaddr.addr;

import java.util.function.Function;

/**
 * The {@code address/length} text of a prefix, split and checked the same way for IPv4 and IPv6;
 * each prefix type then checks its host bits.
 */
record PrefixText<A>(A address, int length) {
    /**
     * @param kind      what the text is, for the error ("CIDR prefix", "IPv6 prefix")
     * @param maxLength 32 or 128
     */
    static <A> PrefixText<A> parse(String kind, String text, Function<String, A> parseAddress, int maxLength) {
        if (text == null) {
            throw new AddressFormatException(kind, "null", "missing");
        }
        String s = text.strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new AddressFormatException(kind, text, "missing /length");
        }
        A address;
        try {
            address = parseAddress.apply(s.substring(0, slash));
        } catch (AddressFormatException e) {
            throw new AddressFormatException(kind, text, e.getMessage());
        }
        int length;
        String lengthText = s.substring(slash + 1);
        try {
            // digits only: parseInt would also take "+24"
            if (lengthText.isEmpty() || lengthText.length() > 3 || !lengthText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException(lengthText);
            }
            length = Integer.parseInt(lengthText);
        } catch (NumberFormatException e) {
            throw new AddressFormatException(kind, text, "length is not a number");
        }
        if (length < 0 || length > maxLength) {
            throw new AddressFormatException(kind, text, "length must be 0-" + maxLength);
        }
        return new PrefixText<>(address, length);
    }
}
