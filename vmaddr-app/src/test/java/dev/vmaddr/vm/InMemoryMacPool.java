package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Stand-in for {@code dev.vmaddr.mac.MacPool} until it is on main: hands out 52:54:00:xx:xx:xx in
 * order, never one that is allocated, observed or quarantined; release quarantines for good (no
 * clock needed for these tests).
 */
final class InMemoryMacPool implements VmMacPool {
    enum State { ALLOCATED, OBSERVED, QUARANTINED }

    record Entry(State state, String owner) {}

    private final Map<MacAddress, Entry> entries = new HashMap<>();
    private long next = 0x525400_000001L;

    @Override
    public synchronized MacAddress allocate(String owner) {
        while (entries.containsKey(new MacAddress(next))) {
            next++;
        }
        MacAddress mac = new MacAddress(next++);
        entries.put(mac, new Entry(State.ALLOCATED, owner));
        return mac;
    }

    @Override
    public synchronized MacAddress claim(MacAddress mac, String owner) {
        Entry e = entries.get(mac);
        if (e != null && !(owner.equals(e.owner()) && e.state() != State.QUARANTINED)) {
            throw VmException.conflict("MAC " + mac + " is " + e.state().name().toLowerCase() + " (" + e.owner() + ")");
        }
        entries.put(mac, new Entry(State.ALLOCATED, owner));
        return mac;
    }

    @Override
    public synchronized void release(MacAddress mac) {
        entries.put(mac, new Entry(State.QUARANTINED, null));
    }

    @Override
    public synchronized void observe(MacAddress mac, String where) {
        entries.putIfAbsent(mac, new Entry(State.OBSERVED, where));
    }

    synchronized Entry entry(MacAddress mac) {
        return entries.get(mac);
    }
}
