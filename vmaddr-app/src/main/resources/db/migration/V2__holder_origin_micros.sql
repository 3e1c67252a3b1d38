-- Issue 8: one bound lease per holder, enforced by the database; cheaper change polling.

-- Who holds the lease, as the history trigger and the API spell it: 'id:<client-id hex>' or 'mac:<mac>'.
ALTER TABLE leases ADD COLUMN holder text GENERATED ALWAYS AS
    (CASE WHEN client_id IS NOT NULL THEN 'id:' || client_id ELSE 'mac:' || mac::text END) STORED;

-- Which opened store wrote the row (0: before this migration, or by hand). A server polls only the
-- other servers' writes: its own it already has in memory.
ALTER TABLE leases ADD COLUMN origin integer NOT NULL DEFAULT 0;
CREATE SEQUENCE store_origin;

-- Databases written before this migration may hold a client twice (issue 8: an API re-allocation on
-- the other server within its poll interval). Keep each holder's most recent bound lease (highest seq);
-- the others become 'released' in this transaction, so the pollers and the history see the change.
UPDATE leases l SET state = 'released', updated_at = now(), seq = nextval('change_seq'), txid = pg_current_xact_id()
WHERE l.state = 'bound'
  AND EXISTS (SELECT 1 FROM leases n WHERE n.network = l.network AND n.holder = l.holder AND n.state = 'bound'
                                        AND n.seq > l.seq);

-- At most one bound record per holder and network, whichever server writes it. When a write clashes
-- with a bound record that has run out but is not marked yet, the writer marks it 'expired' and writes
-- again (see LeaseCommitter); an unexpired one makes the write a conflict that names it.
CREATE UNIQUE INDEX leases_one_bound_per_holder ON leases (network, holder) WHERE state = 'bound';

-- Lease times as microseconds since the epoch, exactly (extract(epoch) is a float8 before PostgreSQL 14,
-- which cannot hold today's microseconds): what the servers read. STABLE and not STRICT, so that the
-- planner inlines it (date_trunc on timestamptz is STABLE).
CREATE FUNCTION vmaddr_micros(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT extract(epoch FROM date_trunc('second', t))::bigint * 1000000
           + extract(microseconds FROM t)::bigint % 1000000
$$;

-- lease_removals are pruned after a retention (see ChangePoller): by time of removal.
CREATE INDEX lease_removals_removed_at ON lease_removals (removed_at);
