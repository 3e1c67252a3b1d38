package dev.vmaddr.store.memory;

import dev.vmaddr.store.LeasePageContract;
import dev.vmaddr.store.Store;

/** Lease pages on the memory store. It keeps nothing across a close: "reopening" hands back the same, open store. */
class MemoryLeasePageContractTest extends LeasePageContract {
    @Override
    protected Store openStore() {
        return new MemoryStore();
    }

    @Override
    protected Store reopen(Store store) {
        return store;
    }
}
