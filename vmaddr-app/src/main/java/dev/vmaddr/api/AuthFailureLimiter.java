package dev.vmaddr.api;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per source address, as a token bucket: an address may fail {@code burst}
 * times at once, then once per {@code refillEvery}. While its bucket is empty every authenticated
 * request from it is refused (429) without looking at the token, so guessing gains nothing by going
 * faster. A correct token does not refill the bucket: otherwise an attacker holding a read token
 * could interleave it to keep guessing the admin token at full speed.
 *
 * <p>Memory is bounded: past {@code maxAddresses} tracked addresses, the buckets that have refilled
 * completely are forgotten (they carry no state); if every bucket is still draining, all are
 * forgotten, which gives a flood of many addresses at worst one more burst each. Time comes from
 * the injected clock.
 */
public final class AuthFailureLimiter {
    /** @param burst failures allowed at once; @param refillEvery one more failure allowed after each of these */
    public record Limits(int burst, Duration refillEvery, int maxAddresses) {
        public static final Limits DEFAULT = new Limits(10, Duration.ofSeconds(1), 10_000);

        public Limits {
            if (burst < 1 || refillEvery.isNegative() || refillEvery.isZero() || maxAddresses < 1) {
                throw new IllegalArgumentException("bad limits " + burst + "/" + refillEvery + "/" + maxAddresses);
            }
        }
    }

    /** Guarded by itself. {@code drained} is how far the bucket is drained, as of {@code at} (millis). */
    private static final class Bucket {
        double drained;
        long at;
    }

    private final Limits limits;
    private final Clock clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public AuthFailureLimiter(Limits limits, Clock clock) {
        this.limits = limits;
        this.clock = clock;
    }

    /** How long {@code address} must wait before it may try again; zero when it may try now. */
    public Duration blockedFor(String address) {
        Bucket b = buckets.get(address);
        if (b == null) {
            return Duration.ZERO;
        }
        synchronized (b) {
            refill(b, clock.millis());
            double over = b.drained - (limits.burst() - 1);
            if (over <= 0) {
                return Duration.ZERO;
            }
            return Duration.ofMillis((long) Math.ceil(over * limits.refillEvery().toMillis()));
        }
    }

    /** Records one failed authentication from {@code address}. */
    public void failed(String address) {
        if (buckets.size() >= limits.maxAddresses() && !buckets.containsKey(address)) {
            forgetRefilled();
        }
        Bucket b = buckets.computeIfAbsent(address, a -> new Bucket());
        synchronized (b) {
            long now = clock.millis();
            if (b.at == 0) {
                b.at = now;
            }
            refill(b, now);
            b.drained = Math.min(b.drained + 1, limits.burst());
        }
    }

    /** Addresses currently tracked (for tests of the memory bound). */
    int tracked() {
        return buckets.size();
    }

    private void refill(Bucket b, long now) {
        double regained = (double) (now - b.at) / limits.refillEvery().toMillis();
        b.drained = Math.max(0, b.drained - regained);
        b.at = Math.max(b.at, now);
    }

    private void forgetRefilled() {
        long now = clock.millis();
        buckets.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                refill(e.getValue(), now);
                return e.getValue().drained == 0;
            }
        });
        if (buckets.size() >= limits.maxAddresses()) {
            buckets.clear();
        }
    }
}
