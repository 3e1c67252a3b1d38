package dev.vmaddr.api;

import dev.vmaddr.importing.ImportReport;
import dev.vmaddr.importing.ImportService;
import dev.vmaddr.importing.ImportWire;
import dev.vmaddr.ipam.ImportOutcome;
import dev.vmaddr.log.LogEvents;
import dev.vmaddr.store.HistoryActor;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/networks/{n}/import[?dryRun=true]}: what {@code vmaddr import} parsed from
 * another DHCP server's files, as NDJSON ({@link ImportWire}), applied by {@link ImportService};
 * answers PRODUCT.md's {@code {"dryRun","imported","unchanged","conflicts":[{"ip","mac","reason"}]}}.
 * The only route whose body may exceed the JSON limit ({@link RequestGate}): it is read as a stream.
 */
public final class ImportRoutes implements RouteGroup {
    static final String PATH = "/api/v1/networks/{name}/import";
    private static final Logger log = LoggerFactory.getLogger(ImportRoutes.class);

    private final ImportService imports;

    public ImportRoutes(ImportService imports) {
        this.imports = imports;
    }

    /** Whether {@code path} is this route's (the gate gives it the larger body limit). */
    static boolean isImportPath(String path) {
        return path.startsWith("/api/v1/networks/") && path.endsWith("/import") && path.indexOf('/', "/api/v1/networks/".length())
                == path.length() - "/import".length();
    }

    @Override
    public void register(RouteTable t) {
        t.post(PATH, "Import leases (bound until their own expiry) and host entries (reservations) read from another DHCP "
                        + "server's files; conflicts are left alone and listed")
                .success(200).errors(400, 404, 413, 503).query("dryRun")
                .body("NDJSON (" + ImportWire.MEDIA_TYPE + "): one {\"host\":{ip,mac,clientId,hostname}} or "
                        + "{\"lease\":{ip,mac,clientId,hostname,expiresAt (epoch seconds)}} a line")
                .handle(ctx -> {
                    long wall0 = System.nanoTime(); // (no thread CPU time: handlers run on virtual threads)
                    String dry = ctx.queryParam("dryRun");
                    if (dry != null && !dry.equals("true") && !dry.equals("false")) {
                        throw ApiProblem.badRequest("dryRun", "dryRun is true or false, not \"" + dry + "\"");
                    }
                    ImportWire.Records records;
                    try (InputStream in = ctx.req().getInputStream()) {
                        records = ImportWire.read(in);
                    } catch (ImportWire.WireException e) {
                        throw ApiProblem.badRequest("(body)", e.getMessage());
                    } catch (IOException e) {
                        throw ApiProblem.badRequest("(body)", "cannot read the body: " + e.getMessage());
                    }
                    long readMs = (System.nanoTime() - wall0) / 1_000_000;
                    // the import's leases and reservations are history of actor "import", whoever sent them
                    ImportReport report = HistoryActor.as(HistoryActor.IMPORT, () -> imports.apply(ctx.pathParam("name"),
                            records.hosts(), records.leases(), "true".equals(dry)));
                    log.info(LogEvents.IMPORT_REQUEST + " network={} records={} readMs={} wallMs={}", ctx.pathParam("name"),
                            records.hosts().size() + records.leases().size(), readMs, (System.nanoTime() - wall0) / 1_000_000);
                    ctx.json(toMap(report));
                });
    }

    static Map<String, Object> toMap(ImportReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        m.put("imported", r.imported());
        m.put("unchanged", r.unchanged());
        List<Map<String, Object>> conflicts = new ArrayList<>(r.conflicts().size());
        for (ImportOutcome.Conflict c : r.conflicts()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("ip", c.ip() == null ? null : c.ip().toString());
            item.put("mac", c.mac() == null ? null : c.mac().toString());
            item.put("reason", c.reason());
            conflicts.add(item);
        }
        m.put("conflicts", conflicts);
        return m;
    }
}
