package dev.vmaddr.api;

import dev.vmaddr.addr.MacAddress;
import dev.vmaddr.mac.MacPool;
import dev.vmaddr.model.MacRecord;
import dev.vmaddr.store.MacStore;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The MAC pool: allocate ({@code {}}), claim ({@code {"mac"}}), release, list (every MAC that is not free). */
public final class MacRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(MacRoutes.class);
    private static final String BASE = "/api/v1/macs";

    private final MacPool pool;
    private final MacStore macs;

    public MacRoutes(MacPool pool, MacStore macs) {
        this.pool = pool;
        this.macs = macs;
    }

    @Override
    public void register(RouteTable t) {
        t.get(BASE, "List MACs that are not free (allocated, reserved, observed, quarantined)")
                .handle(ctx -> ctx.json(macs.list().stream().map(MacRoutes::view).toList()));
        t.get(BASE + "/{mac}", "Show one MAC's record").errors(400, 404).handle(ctx -> {
            MacAddress mac = NetworkRoutes.parse("mac", ctx.pathParam("mac"), MacAddress::parse);
            ctx.json(view(pool.record(mac).orElseThrow(() -> ApiProblem.notFound("MAC " + mac + " is free"))));
        });
        t.post(BASE, "Allocate a MAC ({}) or claim a given one ({\"mac\"})").errors(400, 409)
                .body("{} or {\"mac\": \"52:54:00:12:34:56\", \"owner\": \"text\"}").handle(ctx -> {
                    record Req(MacAddress mac, String owner) {}
                    Req req = Json.readBody(ctx.body(), f -> {
                        Req r = new Req(f.value("mac", MacAddress::parse), f.string("owner"));
                        f.rejectUnknown();
                        return r;
                    });
                    String owner = req.owner() != null ? req.owner() : "api";
                    MacRecord rec = req.mac() == null
                            ? pool.record(pool.allocate(owner)).orElseThrow()
                            : pool.claim(req.mac(), owner);
                    log.info("event=mac.allocated mac={} owner={}", rec.mac(), owner);
                    ctx.status(201).json(view(rec));
                });
        t.delete(BASE + "/{mac}", "Release a MAC (it stays quarantined for a while)").errors(400, 404).handle(ctx -> {
            MacAddress mac = NetworkRoutes.parse("mac", ctx.pathParam("mac"), MacAddress::parse);
            pool.release(mac).orElseThrow(() -> ApiProblem.notFound("MAC " + mac + " is not allocated"));
            log.info("event=mac.released mac={}", mac);
            ctx.status(204);
        });
    }

    static Map<String, Object> view(MacRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mac", r.mac().toString());
        m.put("state", r.state().name().toLowerCase(Locale.ROOT));
        m.put("owner", r.owner());
        m.put("until", r.until() == null ? null : DateTimeFormatter.ISO_INSTANT.format(r.until()));
        m.put("updatedAt", DateTimeFormatter.ISO_INSTANT.format(r.updatedAt()));
        return m;
    }
}
