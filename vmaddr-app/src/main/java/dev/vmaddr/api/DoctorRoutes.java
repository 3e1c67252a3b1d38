package dev.vmaddr.api;

import dev.vmaddr.doctor.Doctor;
import dev.vmaddr.doctor.DoctorOptions;
import dev.vmaddr.doctor.DoctorReport;
import dev.vmaddr.ipam.AllocationEngine;
import dev.vmaddr.model.NetworkSpec;
import java.util.List;

/**
 * The host-side doctor over HTTP, read-only: {@code GET /api/v1/doctor[?network=NAME]} answers what
 * {@code vmaddr doctor --no-probes --output json} prints ({@code {"findings":[{check, severity,
 * network, evidence, fix}]}}). Without probes the doctor only reads host state (links, addresses,
 * sysctls, the packet filter), so a GET changes nothing and answers in well under a second; the probing
 * checks (DHCP servers, duplicate addresses, path MTU) stay with the CLI, which an operator runs on
 * purpose.
 */
public final class DoctorRoutes implements RouteGroup {
    private static final DoctorOptions READ_ONLY = new DoctorOptions(null, java.util.Set.of(), java.util.Set.of(),
            List.of(), false, DoctorOptions.DEFAULT.dhcpWindow());

    private final AllocationEngine engine;
    private final Doctor doctor;

    public DoctorRoutes(AllocationEngine engine, Doctor doctor) {
        this.engine = engine;
        this.doctor = doctor;
    }

    @Override
    public void register(RouteTable t) {
        t.get("/api/v1/doctor", "Host-side diagnosis of the networks (no probes): findings with evidence and fix")
                .errors(404).query("network").handle(ctx -> {
                    String name = ctx.queryParam("network");
                    List<NetworkSpec> networks = name == null ? engine.networks()
                            : List.of(engine.network(name).orElseThrow(() -> ApiProblem.notFound("no network \"" + name + "\"")));
                    DoctorReport report = doctor.run(networks, READ_ONLY);
                    ctx.contentType("application/json").result(report.toJson()); // the CLI's very JSON
                });
    }
}
