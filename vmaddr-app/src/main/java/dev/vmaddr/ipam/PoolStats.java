package dev.vmaddr.ipam;

/**
 * Dynamic addresses of a network: {@code size} counts pool addresses that may be handed out (pools
 * minus gateway, network, broadcast, exclusions and reserved addresses).
 */
public record PoolStats(long size, long used, long free) {}
