package dev.vmaddr.store;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.model.MacRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * MACs that are not free. The store enforces uniqueness: {@link #claim} refuses a MAC whose
 * record still blocks it ({@link MacRecord#blocksAt}) for another owner.
 */
public interface MacStore {
    /**
     * Writes {@code record} when the MAC is free at {@code now}, or already held by the same owner.
     * Durable on return when it returns true; false when another record blocks the MAC.
     */
    boolean claim(MacRecord record, Instant now);

    /** Writes unconditionally (release into quarantine, operator reservations). Durable on return. */
    void put(MacRecord record);

    /** Forgets the MAC (quarantine over). Durable on return. */
    boolean remove(MacAddress mac);

    Optional<MacRecord> get(MacAddress mac);

    List<MacRecord> list();
}
