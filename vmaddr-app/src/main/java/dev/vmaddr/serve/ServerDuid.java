package dev.vmaddr.serve;

import dev.vmaddr.model.Duid;
import dev.vmaddr.ra.Links;
import dev.vmaddr.store.DocumentStore;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The DHCPv6 server's DUID (RFC 8415 11), kept in the store so it survives restarts (clients
 * RENEW to the server id they were given): a DUID-LL of the first served interface's MAC when made,
 * else a DUID-UUID of random bytes.
 */
final class ServerDuid {
    static final String KIND = "dhcp6";
    static final String KEY = "server-duid";

    private ServerDuid() {}

    static Duid loadOrCreate(DocumentStore documents, List<String> interfaces, RandomGenerator random) {
        Optional<String> stored = documents.get(KIND, KEY);
        if (stored.isPresent()) {
            return Duid.parse(stored.get().replace("\"", ""));
        }
        byte[] duid = null;
        for (String name : interfaces) {
            Optional<Links.Link> l = Links.HOST.find(name);
            if (l.isPresent() && l.get().mac() != null) {
                duid = new byte[10];
                duid[1] = 3; // DUID-LL
                duid[3] = 1; // Ethernet
                l.get().mac().writeTo(duid, 4);
                break;
            }
        }
        if (duid == null) {
            duid = new byte[18];
            duid[1] = 4; // DUID-UUID
            for (int i = 2; i < 18; i++) {
                duid[i] = (byte) random.nextInt(256);
            }
        }
        Duid d = Duid.of(duid, 0, duid.length);
        documents.put(KIND, KEY, "\"" + d.hex() + "\"");
        return d;
    }
}
