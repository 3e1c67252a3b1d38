package dev.vmaddr.dhcp.it;

import java.util.ArrayList;
import java.util.List;

/**
 * The server config most lab tests start from, built rather than pasted: one network {@code lan0}
 * (198.18.0.0/24, gateway 198.18.0.1) served on {@code srv0}, authoritative, no probe, 600 s leases,
 * pool .100-.199. Each test changes what it is about (probe, lease times, pool, reservations) and
 * nothing else, so the difference between two tests' configs is what the tests say it is.
 *
 * <pre>
 *   lab.startServer(DhcpLab.lan0().probe("icmp").pools("198.18.0.100-198.18.0.101").yaml());
 * </pre>
 */
public final class DhcpLabConfig {
    private String probe = "none";
    private boolean authoritative = true;
    private String leaseTime = "600s";
    private String renewTime;
    private String rebindTime;
    private String pools = "198.18.0.100-198.18.0.199";
    private final List<String> networkLines = new ArrayList<>();

    DhcpLabConfig() {}

    /** {@code none} or {@code icmp} (timeout 300 ms). */
    public DhcpLabConfig probe(String method) {
        this.probe = method;
        return this;
    }

    public DhcpLabConfig authoritative(boolean on) {
        this.authoritative = on;
        return this;
    }

    /** Lease, renew (T1) and rebind (T2) times as the config writes them ({@code 30s}); null renew/rebind: the defaults. */
    public DhcpLabConfig times(String lease, String renew, String rebind) {
        this.leaseTime = lease;
        this.renewTime = renew;
        this.rebindTime = rebind;
        return this;
    }

    /** One pool range, {@code FIRST-LAST}. */
    public DhcpLabConfig pools(String range) {
        this.pools = range;
        return this;
    }

    /** A YAML line of the network (indented as a field of it), e.g. {@code reservations:} and its items. */
    public DhcpLabConfig networkLine(String line) {
        networkLines.add(line);
        return this;
    }

    public String yaml() {
        StringBuilder y = new StringBuilder()
                .append("dhcp:\n")
                .append("  interfaces: [srv0]\n")
                .append("  probe: { method: ").append(probe).append(", timeout: 300ms }\n")
                .append("  authoritative: ").append(authoritative).append('\n')
                .append("networks:\n")
                .append("  - name: lan0\n")
                .append("    cidr: 198.18.0.0/24\n")
                .append("    gateway: 198.18.0.1\n")
                .append("    bridge: srv0\n")
                .append("    leaseTime: ").append(leaseTime).append('\n');
        if (renewTime != null) {
            y.append("    renewTime: ").append(renewTime).append('\n');
        }
        if (rebindTime != null) {
            y.append("    rebindTime: ").append(rebindTime).append('\n');
        }
        y.append("    pools: [\"").append(pools).append("\"]\n");
        networkLines.forEach(l -> y.append("    ").append(l).append('\n'));
        return y.toString();
    }
}
