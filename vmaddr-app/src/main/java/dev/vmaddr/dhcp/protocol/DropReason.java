package dev.vmaddr.dhcp.protocol;

/**
 * Why a request got no reply. Stable names: they become metric labels and log fields, lower case
 * with '-' ({@code UNKNOWN_CLIENT} is {@code reason="unknown-client"}).
 */
public enum DropReason {
    NOT_A_REQUEST,          // op is BOOTREPLY
    NO_MESSAGE_TYPE,        // plain BOOTP, or a type this server does not handle
    NOT_ETHERNET,           // htype/hlen other than Ethernet: a lease needs a MAC
    UNKNOWN_NETWORK,        // no network for the relay, interface or ciaddr
    NO_SERVER_ID,           // receiving interface has no address and none is configured
    OTHER_SERVER,           // addressed to another server (option 54)
    MISSING_ADDRESS,        // REQUEST/DECLINE/RELEASE without the address it must carry
    NOT_AUTHORITATIVE,      // a NAK would be due, but this server is not authoritative
    EXHAUSTED,              // no free address to offer
    PROBE_CONFLICTS,        // every candidate answered the conflict probe
    STORE_UNAVAILABLE,      // the store cannot make a lease durable: stay silent, the client retries
    NOT_SERVED_HERE,        // a direct request on an interface the config does not list
    OVERLOADED,             // too many requests in flight: dropped so memory stays bounded; the client retries
    UNKNOWN_CLIENT,         // a clients: known network, and vmaddr does not know this client there
    NEW_CLIENT_RATE,        // a new client's DISCOVER beyond the interface's new clients per second
    OFFERS_IN_FLIGHT,       // a new client's DISCOVER while the interface's offers to new clients are at their cap
    REFUSED                 // the engine refused a DECLINE/RELEASE/DISCOVER for another reason
}
