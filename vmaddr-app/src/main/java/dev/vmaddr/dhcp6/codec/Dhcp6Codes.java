package dev.vmaddr.dhcp6.codec;

/** Message types, option codes and status codes of RFC 8415 (and RFC 6939 client link-layer address). */
public final class Dhcp6Codes {
    private Dhcp6Codes() {}

    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int CONFIRM = 4;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int RELEASE = 8;
    public static final int DECLINE = 9;
    public static final int RECONFIGURE = 10;
    public static final int INFORMATION_REQUEST = 11;
    public static final int RELAY_FORW = 12;
    public static final int RELAY_REPL = 13;

    public static final int OPTION_CLIENTID = 1;
    public static final int OPTION_SERVERID = 2;
    public static final int OPTION_IA_NA = 3;
    public static final int OPTION_IA_TA = 4;
    public static final int OPTION_IAADDR = 5;
    public static final int OPTION_ORO = 6;
    public static final int OPTION_PREFERENCE = 7;
    public static final int OPTION_ELAPSED_TIME = 8;
    public static final int OPTION_RELAY_MSG = 9;
    public static final int OPTION_STATUS_CODE = 13;
    public static final int OPTION_RAPID_COMMIT = 14;
    public static final int OPTION_INTERFACE_ID = 18;
    public static final int OPTION_DNS_SERVERS = 23;
    public static final int OPTION_DOMAIN_LIST = 24;
    public static final int OPTION_IA_PD = 25;
    public static final int OPTION_INFORMATION_REFRESH_TIME = 32;
    public static final int OPTION_CLIENT_LINKLAYER_ADDR = 79;

    public static final int STATUS_SUCCESS = 0;
    public static final int STATUS_UNSPEC_FAIL = 1;
    public static final int STATUS_NO_ADDRS_AVAIL = 2;
    public static final int STATUS_NO_BINDING = 3;
    public static final int STATUS_NOT_ON_LINK = 4;
    public static final int STATUS_USE_MULTICAST = 5;

    /** RFC 8415 7.1: hop-count limit of relay chains. */
    public static final int HOP_COUNT_LIMIT = 8;

    public static String typeName(int type) {
        return switch (type) {
            case SOLICIT -> "solicit";
            case ADVERTISE -> "advertise";
            case REQUEST -> "request";
            case CONFIRM -> "confirm";
            case RENEW -> "renew";
            case REBIND -> "rebind";
            case REPLY -> "reply";
            case RELEASE -> "release";
            case DECLINE -> "decline";
            case RECONFIGURE -> "reconfigure";
            case INFORMATION_REQUEST -> "information_request";
            case RELAY_FORW -> "relay_forw";
            case RELAY_REPL -> "relay_repl";
            default -> "unknown";
        };
    }
}
