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
    public void release(MacAddress mac) {
        pool.release(mac);
    }

    @Override
    public void observe(MacAddress mac, String where) {
        pool.observe(mac, where);
    }

    private static VmException translate(MacPoolException e, String field) {
        return e.reason() == MacPoolException.Reason.INVALID ? VmException.badInput(field, e.getMessage())
                : new VmException(VmException.Kind.CONFLICT, e.getMessage(), e);
    }
}
