package dev.vmaddr.vm;

import dev.vmaddr.addr.Ipv4Address;
import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.store.DocumentStore;
import dev.vmaddr.store.HistoryActor;
import dev.vmaddr.store.HistoryEvent;
import dev.vmaddr.store.HistoryStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * VMs as documents of kind {@code vm} keyed by name, unknown network MACs as kind
 * {@code vm-unknown-mac} keyed {@code network/mac}, and NIC changes appended to the history so
 * "who had this MAC/address" includes VM NICs.
 */
final class VmRepository {
    static final String KIND = "vm";
    static final String UNKNOWN_KIND = "vm-unknown-mac";

    private final DocumentStore documents;
    private final HistoryStore history;

    VmRepository(DocumentStore documents, HistoryStore history) {
        this.documents = documents;
        this.history = history;
    }

    List<Vm> loadAll() {
        List<Vm> out = new ArrayList<>();
        documents.list(KIND).values().forEach(json -> out.add(VmJson.fromDocument(json)));
        return out;
    }

    void save(Vm vm) {
        documents.put(KIND, vm.name(), VmJson.toDocument(vm));
    }

    void delete(String name) {
        documents.delete(KIND, name);
    }

    List<UnknownMac> loadUnknown() {
        List<UnknownMac> out = new ArrayList<>();
        documents.list(UNKNOWN_KIND).values().forEach(json -> out.add(VmJson.unknownFromDocument(json)));
        return out;
    }

    void saveUnknown(UnknownMac u) {
        documents.put(UNKNOWN_KIND, u.network() + "/" + u.mac(), VmJson.toDocument(u));
    }

    void deleteUnknown(String network, MacAddress mac) {
        documents.delete(UNKNOWN_KIND, network + "/" + mac);
    }

    void event(Instant at, String network, Ipv4Address ip, MacAddress mac, String holder, String action) {
        event(at, network, ip, mac, holder, action, null);
    }

    void event(Instant at, String network, Ipv4Address ip, MacAddress mac, String holder, String action, String detail) {
        history.append(new HistoryEvent(at, network, ip, mac, holder, action, HistoryActor.current(), detail));
    }
}
