package dev.vmaddr.store.memory;

import dev.vmaddr.store.Store;
import dev.vmaddr.store.StoreContract;

/**
 * The contract every back end keeps, on the memory store too: the engines' tests run against it, so
 * it must refuse and record exactly as the durable stores do. It keeps nothing across a close:
 * "reopening" hands back the same, open store.
 */
class MemoryStoreContractTest extends StoreContract {
    @Override
    protected Store openStore() {
        return new MemoryStore();
    }

    @Override
    protected Store reopen(Store store) {
        return store;
    }
}
