-- Issue 15: never two bound leases for one MAC in one network (PRODUCT.md part 5), whichever server
-- writes them. The engine takes a MAC's earlier lease over when the same machine comes back with
-- another client-id (PXE firmware without one, then the OS with one), but a server that has not yet
-- polled the other server's write does not know that lease: the database refuses the second one, and
-- the writer is told which lease of the MAC is bound (see LeaseCommitter.holderClash).

-- Databases written before this migration may hold a MAC twice. Keep each MAC's most recent bound
-- lease (highest seq); the others become 'released' in this transaction, so the pollers and the
-- history see the change.
UPDATE leases l SET state = 'released', updated_at = now(), seq = nextval('change_seq'), txid = pg_current_xact_id()
WHERE l.state = 'bound'
  AND EXISTS (SELECT 1 FROM leases n WHERE n.network = l.network AND n.mac = l.mac AND n.state = 'bound'
                                        AND n.seq > l.seq);

CREATE UNIQUE INDEX leases_one_bound_per_mac ON leases (network, mac) WHERE state = 'bound';
