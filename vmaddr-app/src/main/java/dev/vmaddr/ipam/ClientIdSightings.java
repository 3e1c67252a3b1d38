package dev.vmaddr.ipam;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.ClientId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-ids that one network saw binding from more than one MAC while the lease was live (issue
 * 20 item 3). In memory only: the evidence is a fight over a lease, which goes on while the clones
 * run, so a restarted server sees it again at the next renewal. Kept for {@link #KEEP} after the
 * last sighting, and at most {@link #MAX_PER_NETWORK} client-ids per network (the oldest go), so a
 * client inventing client-ids cannot grow it.
 */
final class ClientIdSightings {
    static final Duration KEEP = Duration.ofDays(1);
    static final int MAX_PER_NETWORK = 1024;
    static final int MAX_MACS = 16;

    private record Key(String network, ClientId clientId) {}

    private static final class Seen {
        final LinkedHashSet<MacAddress> macs = new LinkedHashSet<>();
        Ipv4Address ip;
        Instant last;
    }

    private final Map<Key, Seen> seen = new ConcurrentHashMap<>();

    /** {@code clientId}'s live lease of {@code ip} was held from {@code before}; now {@code now} binds it. Returns whether this is news. */
    boolean note(String network, ClientId clientId, MacAddress before, MacAddress mac, Ipv4Address ip, Instant at) {
        Seen s = seen.computeIfAbsent(new Key(network, clientId), k -> new Seen());
        boolean news;
        synchronized (s) {
            int size = s.macs.size();
            if (size < MAX_MACS) {
                s.macs.add(before);
                s.macs.add(mac);
            }
            news = s.macs.size() != size;
            s.ip = ip;
            s.last = at;
        }
        trim(network, at);
        return news;
    }

    List<SharedClientId> of(String network, Instant now) {
        List<SharedClientId> out = new ArrayList<>();
        for (Map.Entry<Key, Seen> e : seen.entrySet()) {
            if (!e.getKey().network().equals(network)) {
                continue;
            }
            Seen s = e.getValue();
            synchronized (s) {
                if (s.last.plus(KEEP).isAfter(now)) {
                    out.add(new SharedClientId(network, e.getKey().clientId(), List.copyOf(s.macs), s.ip, s.last));
                }
            }
        }
        out.sort(Comparator.comparing(SharedClientId::lastSeen).reversed());
        return out;
    }

    void forgetNetwork(String network) {
        seen.keySet().removeIf(k -> k.network().equals(network));
    }

    private void trim(String network, Instant now) {
        List<Map.Entry<Key, Seen>> mine = new ArrayList<>();
        for (Map.Entry<Key, Seen> e : seen.entrySet()) {
            if (e.getKey().network().equals(network)) {
                mine.add(e);
            }
        }
        if (mine.size() <= MAX_PER_NETWORK) {
            return;
        }
        mine.sort(Comparator.comparing(e -> e.getValue().last, Comparator.nullsFirst(Comparator.naturalOrder())));
        for (int i = 0; i < mine.size() - MAX_PER_NETWORK; i++) {
            seen.remove(mine.get(i).getKey());
        }
    }
}
