package dev.vmaddr.api;

import dev.vmaddr.connectivity.ProbeTarget;

/**
 * Hears every change the API makes to a network's definition (create, replace, pool/reservation
 * edits, NAD import, delete), so the connectivity monitor checks networks however they were made.
 * Called while the edit lock is held, in edit order: implementations must return at once (hand the
 * work to a background thread) and never call back into the routes.
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
