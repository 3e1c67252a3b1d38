package dev.vmaddr.importing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the parsers read from one import's files: leases, host entries and notes (what was left
 * out on purpose, and why). Filled by one parser at a time on one thread, then only read.
 */
public final class ImportData {
    private final List<ImportedLease> leases = new ArrayList<>();
    private final List<ImportedHost> hosts = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void lease(ImportedLease lease) {
        leases.add(lease);
    }

    void host(ImportedHost host) {
        hosts.add(host);
    }

    void note(String note) {
        notes.add(note);
    }

    public List<ImportedLease> leases() {
        return Collections.unmodifiableList(leases);
    }

    public List<ImportedHost> hosts() {
        return Collections.unmodifiableList(hosts);
    }

    public List<String> notes() {
        return Collections.unmodifiableList(notes);
    }

    public int size() {
        return leases.size() + hosts.size();
    }
}
