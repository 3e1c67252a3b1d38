package dev.vmaddr.api;

import dev.vmaddr.connectivity.ProbeTarget;

/**
 * Hears about connectivity targets the API stores outside the network catalog (a NAD with no CIDR),
 * so the connectivity monitor checks them too; the catalog's own listener covers networks.
 * Implementations must return at once (hand the work to a background thread).
 */
public interface NetworkListener {
    NetworkListener NONE = new NetworkListener() {
        @Override
        public void networkChanged(ProbeTarget target) {
        }

        @Override
        public void networkRemoved(String name) {
        }
    };

    /** Created or changed; for a network in the engine the target is {@code ProbeTarget.of(spec)}. */
    void networkChanged(ProbeTarget target);

    void networkRemoved(String name);
}
