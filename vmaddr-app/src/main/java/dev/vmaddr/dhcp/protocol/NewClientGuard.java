package dev.vmaddr.dhcp.protocol;

import dev.vmaddr.addr.MacAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a flood of new DHCP clients (random MACs from a starvation tool) from taking the pool faster
 * than a set pace, per receiving interface: a token bucket of new clients per second, and a cap on
 * offers in flight to new clients (offered, not yet bound). A DISCOVER beyond either is dropped and
 * counted ({@link DropReason#NEW_CLIENT_RATE}, {@link DropReason#OFFERS_IN_FLIGHT}); the client
 * retries, as after any lost packet.
 *
 * <p>Who is "new" is not decided here: {@link DhcpProtocol} asks the guard first and, only when the
 * guard refuses, asks its {@link ClientPolicy} whether the client is known (a lease, a reservation,
 * a VM NIC) and serves it anyway. So a known client is never refused by the guard, and the policy's
 * lookup is paid only by the packets over the limit. A known client that the guard admitted takes a
 * token and a slot like any other; the slot is freed when it binds.
 *
 * <p>The hot path allocates nothing: one bucket per interface, made the first time that interface
 * is seen (interfaces are few and configured), holding fixed arrays. An offer slot holds the client's
 * MAC and the time its offer runs out ({@code offerHold}); a DISCOVER retransmitted by the same MAC
 * reuses its slot, a REQUEST that binds frees it ({@link #settled}), and a slot whose offer ran out
 * is free again. Finding a slot is a pass over the array (the cap is hundreds, and only DISCOVERs
 * from clients the guard counts pay it). Time comes from the injected clock.
 *
 * <p>Thread-safe: each bucket is guarded by its own monitor, so interfaces do not contend.
 */
public final class NewClientGuard {
    /**
     * @param perSecond       new clients admitted per second and interface, on average; 0: no rate limit
     * @param burst           new clients admitted at once after a quiet spell (the bucket's size)
     * @param offersInFlight  offers to new clients not yet bound, per interface; 0: no cap
     */
    public record Limits(int perSecond, int burst, int offersInFlight) {
        public static final Limits NONE = new Limits(0, 0, 0);

        public Limits {
            if (perSecond < 0 || burst < 0 || offersInFlight < 0) {
                throw new IllegalArgumentException("limits must not be negative: " + perSecond + ", " + burst + ", " + offersInFlight);
            }
            if (perSecond > 0 && burst < 1) {
                throw new IllegalArgumentException("burst must be at least 1 with a rate of " + perSecond + "/s");
            }
        }

        public boolean none() {
            return perSecond == 0 && offersInFlight == 0;
        }
    }

    /** The bucket of requests that came in on no known interface (relayed, or the transport could not tell). */
    private static final String NO_INTERFACE = "";
    private static final long MILLI_TOKENS = 1000;

    private final Limits limits;
    private final long offerHoldMillis;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public NewClientGuard(Limits limits, Duration offerHold, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.offerHoldMillis = offerHold.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Limits limits() {
        return limits;
    }

    /**
     * A DISCOVER from {@code mac} on {@code ifname}: null when admitted (a token and an offer slot
     * are taken), else why not. Nothing is taken when refused.
     */
    public DropReason admit(String ifname, MacAddress mac) {
        if (limits.none()) {
            return null;
        }
        Bucket b = bucket(ifname);
        synchronized (b) {
            return b.admit(mac.value(), clock.millis());
        }
    }

    /** {@code mac} bound its lease, or got no offer after all: its offer slot is free. */
    public void settled(String ifname, MacAddress mac) {
        if (limits.offersInFlight() == 0) {
            return;
        }
        Bucket b = buckets.get(ifname == null ? NO_INTERFACE : ifname);
        if (b != null) {
            synchronized (b) {
                b.free(mac.value());
            }
        }
    }

    /** Offers to new clients in flight on {@code ifname} now (for tests and the benchmark). */
    public int inFlight(String ifname) {
        Bucket b = buckets.get(ifname == null ? NO_INTERFACE : ifname);
        if (b == null) {
            return 0;
        }
        synchronized (b) {
            return b.live(clock.millis());
        }
    }

    private Bucket bucket(String ifname) {
        String key = ifname == null ? NO_INTERFACE : ifname;
        Bucket b = buckets.get(key); // a plain get first: computeIfAbsent's lambda would be built per call
        return b != null ? b : buckets.computeIfAbsent(key, k -> new Bucket(limits, clock.millis()));
    }

    /** One interface's token bucket and offer slots. Guarded by its own monitor. */
    private final class Bucket {
        private final long capacity;
        private final long perMilli;
        private long tokens;
        private long refilledAt;
        /** MAC value per slot; a slot is free when its deadline has passed (0 = never used). */
        private final long[] macs;
        private final long[] deadlines;

        Bucket(Limits limits, long now) {
            this.capacity = (long) limits.burst() * MILLI_TOKENS;
            this.perMilli = limits.perSecond(); // per second in tokens = per millisecond in milli-tokens
            this.tokens = capacity;
            this.refilledAt = now;
            this.macs = new long[limits.offersInFlight()];
            this.deadlines = new long[limits.offersInFlight()];
        }

        DropReason admit(long mac, long now) {
            int slot = -1;
            if (macs.length > 0) {
                int free = -1;
                for (int i = 0; i < macs.length; i++) {
                    if (deadlines[i] > now && macs[i] == mac) {
                        slot = i;
                        break;
                    }
                    if (free < 0 && deadlines[i] <= now) {
                        free = i;
                    }
                }
                if (slot >= 0) {
                    deadlines[slot] = now + offerHoldMillis; // the same client again: its own slot, no new token
                    return null;
                }
                if (free < 0) {
                    return DropReason.OFFERS_IN_FLIGHT;
                }
                slot = free;
            }
            if (perMilli > 0) {
                refill(now);
                if (tokens < MILLI_TOKENS) {
                    return DropReason.NEW_CLIENT_RATE;
                }
                tokens -= MILLI_TOKENS;
            }
            if (slot >= 0) {
                macs[slot] = mac;
                deadlines[slot] = now + offerHoldMillis;
            }
            return null;
        }

        private void refill(long now) {
            long elapsed = now - refilledAt;
            if (elapsed > 0) {
                // capped before multiplying: a long quiet spell cannot overflow
                long gained = Math.min(elapsed, capacity / Math.max(1, perMilli) + 1) * perMilli;
                tokens = Math.min(capacity, tokens + gained);
                refilledAt = now;
            }
        }

        void free(long mac) {
            for (int i = 0; i < macs.length; i++) {
                if (macs[i] == mac) {
                    deadlines[i] = 0; // every slot of the MAC: an expired one may sit before its live one
                }
            }
        }

        int live(long now) {
            int n = 0;
            for (long d : deadlines) {
                if (d > now) {
                    n++;
                }
            }
            return n;
        }
    }
}
