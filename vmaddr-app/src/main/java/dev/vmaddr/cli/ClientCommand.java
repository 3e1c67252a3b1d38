package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to the server's API. Subclasses implement {@link #run(ApiClient)}. */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    ClientOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        if (this instanceof ReadsStore reader && options.readStoreIfNoServer(reader::runOnStore)) {
            return 0;
        }
        run(options.client());
        return 0;
    }

    abstract void run(ApiClient api);

    /**
     * A read-only command that also works with no server: given {@code --config} and nothing answering
     * at the file's {@code api.listen}, it reads the store directly (PRODUCT.md), with the same output.
     */
    interface ReadsStore {
        void runOnStore(dev.vmaddr.store.Store store);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void print(JsonNode value, String... columns) {
        options.output.format.print(out(), value, List.of(columns));
    }

    /** For commands whose answer is empty (204): a short confirmation in table mode, {@code null} in JSON. */
    void done(String message) {
        if (options.output.json()) {
            out().println("null");
        } else {
            out().println(message);
        }
        out().flush();
    }

    /** DELETE {@code path}, then {@link #done} with {@code confirmation}: every delete, remove and release command. */
    void delete(ApiClient api, String path, String confirmation) {
        api.delete(path);
    }

    /** Prints {@code path/export} in the given format (and NAD type) as the server wrote it: XML, YAML or text. */
    void printExport(ApiClient api, String path, String format, String cni) {
        printExport(api, path, format, cni, "");
    }

    /** @param more further query parameters, each as {@code &name=value} (escaped) */
    void printExport(ApiClient api, String path, String format, String cni, String more) {
        String q = "?format=" + ApiClient.seg(format) + (cni == null ? "" : "&cni=" + ApiClient.seg(cni)) + more;
        out().print(api.getText(path + "/export" + q));
        out().flush();
    }

    static String networkPath(String network) {
        return "/api/v1/networks/" + ApiClient.seg(network);
    }

    /** For request bodies: optional fields are left out rather than sent as null. */
    static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
