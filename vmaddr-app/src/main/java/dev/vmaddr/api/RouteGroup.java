package dev.vmaddr.api;

/** A feature's routes (networks, leases, MACs, later VMs, status ...); adding a feature adds one of these. */
public interface RouteGroup {
    void register(RouteTable routes);
}
