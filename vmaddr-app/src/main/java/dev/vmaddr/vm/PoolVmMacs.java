package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.mac.MacPoolException;

/** {@link VmMacPool} over the MAC pool; refusals become {@link VmException}s (409, or 400 for a bad MAC). */
public final class PoolVmMacs implements VmMacPool {
    private final MacPool pool;

    public PoolVmMacs(MacPool pool) {
        this.pool = pool;
    }

    @Override
    public MacAddress allocate(String owner) {
        try {
            return pool.allocate(owner);
        } catch (MacPoolException e) {
            throw translate(e, "mac");
        }
    }

    @Override
    public MacAddress claim(MacAddress mac, String owner) {
        try {
            return pool.claim(mac, owner).mac();
        } catch (MacPoolException e) {
            throw translate(e, "mac");
        }
    }

    @Override
    public void transfer(MacAddress mac, String from, String to) {
        try {
            pool.transfer(mac, from, to);
        } catch (MacPoolException e) {
            throw translate(e, "mac");
        }
    }

    @Override
    public void release(MacAddress mac) {
        pool.release(mac);
    }

    @Override
    public java.util.Optional<String> carriedByHost(MacAddress mac) {
        return pool.carriedByHost(mac);
    }

    @Override
    public void noteLeasedBy(MacAddress mac, String where) {
        pool.noteSeenOnNetwork(mac, where);
    }

    @Override
    public void observe(MacAddress mac, String where) {
        pool.observe(mac, where);
    }

    /** A store failure stays what it is (503), the rest become VM errors. */
    private static RuntimeException translate(MacPoolException e, String field) {
        return switch (e.reason()) {
            case INVALID -> VmException.badInput(field, e.getMessage());
            case TAKEN, EXHAUSTED -> new VmException(VmException.Kind.CONFLICT, e.getMessage(), e);
            case STORE_UNAVAILABLE -> e;
        };
    }
}
