package dev.vmaddr.vm;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.memory.MemoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link VmTable}: the document is written before the VM shows; the index and the taken-MAC callback follow commits. */
class VmTableTest {
    private static final Instant T = Instant.parse("2025-06-14T09:43:25Z");
    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    private final MemoryStore store = new MemoryStore();
    private final List<MacIndex.TakenMac> taken = new ArrayList<>();

    private static Vm vm(String name, String network, MacAddress mac) {
        return new Vm(name, "hv1", VmState.STOPPED, List.of(new Nic("nic0", network, mac, null, null, null)), null, T, T);
    }

    /** The store's documents, refusing every write of a VM while {@code refuse} is set. */
    private static final class RefusingDocuments implements DocumentStore {
        private final DocumentStore real;
        boolean refuse;

        RefusingDocuments(DocumentStore real) {
            this.real = real;
        }

        @Override
        public void put(String kind, String key, String json) {
            if (refuse) {
                throw new IllegalStateException("store unavailable");
            }
            real.put(kind, key, json);
        }

        @Override
        public boolean delete(String kind, String key) {
            if (refuse) {
                throw new IllegalStateException("store unavailable");
            }
            return real.delete(kind, key);
        }

        @Override
        public Optional<String> get(String kind, String key) {
            return real.get(kind, key);
        }

        @Override
        public Map<String, String> list(String kind) {
            return real.list(kind);
        }
    }

    @Test
    void aCommittedVmIsStoredIndexedAndItsNewMacsReported() {
        VmTable table = new VmTable(new VmRepository(store.documents(), store.history()), taken::add);
        table.locked("v1", () -> table.commit(vm("v1", "t1", A), "event=vm.created"));

        assertThat(table.get("v1").nic("nic0").orElseThrow().mac()).isEqualTo(A);
        assertThat(table.nicOn("t1", A)).isPresent();
        assertThat(table.nicOn("t2", A)).as("another network").isEmpty();
        assertThat(taken).containsExactly(new MacIndex.TakenMac("t1", A));
        assertThat(new VmTable(new VmRepository(store.documents(), store.history()), t -> { }).get("v1"))
                .as("loaded again from its document").isEqualTo(table.get("v1"));

        table.locked("v1", () -> {
            table.delete("v1");
            return null;
        });
        assertThat(table.find("v1")).isEmpty();
        assertThat(table.ownsMac(A)).isFalse();
        assertThatThrownBy(() -> table.get("v1")).isInstanceOf(VmException.class).hasMessage("vm v1 not found");
    }

    @Test
    void aFailedDocumentWriteShowsNothing() {
        RefusingDocuments documents = new RefusingDocuments(store.documents());
        VmTable table = new VmTable(new VmRepository(documents, store.history()), taken::add);
        documents.refuse = true;

        assertThatThrownBy(() -> table.locked("v1", () -> table.commit(vm("v1", "t1", A), "event=vm.created")))
                .hasMessage("store unavailable");
        assertThat(table.find("v1")).isEmpty();
        assertThat(table.ownsMac(A)).isFalse();
        assertThat(taken).isEmpty();
    }

    @Test
    void aFailingTakenMacCallbackDoesNotFailTheCommit() {
        VmTable table = new VmTable(new VmRepository(store.documents(), store.history()), t -> {
            throw new IllegalStateException("cannot delete the unknown-MAC record");
        });
        Vm committed = table.locked("v1", () -> table.commit(vm("v1", "t1", B), "event=vm.created"));
        assertThat(table.get("v1")).isEqualTo(committed);
        assertThat(table.ownsMac(B)).isTrue();
    }
}
