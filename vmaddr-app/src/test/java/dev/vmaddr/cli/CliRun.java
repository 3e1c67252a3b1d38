package dev.vmaddr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vmaddr.api.Json;
import dev.vmaddr.api.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** One in-process {@code vmaddr} run for the CLI tests: exit code and captured stdout/stderr. */
record CliRun(int exit, String out, String err) {
    JsonNode json() throws Exception {
        return Json.MAPPER.readTree(out);
    }

    /** Runs the command as given (no server options added). */
    static CliRun offline(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(exit, out.toString(), err.toString());
    }

    /** Runs the command against {@code srv}, with its URL and token file. */
    static CliRun online(TestServer srv, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--api", srv.url, "--token-file", srv.dataDir.resolve("api-token").toString()));
        return offline(all.toArray(String[]::new));
    }
}
