-- Issue 24: the lease history written once per statement, not once per row. A lease batch is one
-- multi-row INSERT ... ON CONFLICT DO UPDATE; the row-level trigger of V1/V5 ran its PL/pgSQL function
-- and one single-row INSERT into history (executor start-up, four index insertions) for every lease
-- of the batch. These statement-level triggers see the statement's rows in transition tables and add
-- their history with ONE INSERT ... SELECT: the same rows, by the same rule, in the same transaction
-- (so the history stays exact whichever server wrote and whatever was in the row before).
--
-- PostgreSQL allows transition tables only on single-event triggers, hence one trigger for INSERT and
-- one for UPDATE. An INSERT ... ON CONFLICT DO UPDATE fires both: the inserted rows are in the INSERT
-- trigger's table, the updated ones (old and new versions) in the UPDATE trigger's. No statement
-- changes a lease's key (network, ip), so an updated row's old and new versions meet on it.
-- Offers are not history (the rule of V1): rows in state 'offered' add none.

DROP TRIGGER leases_history ON leases;
DROP FUNCTION lease_history();

CREATE FUNCTION lease_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO history (at, network, ip, mac, holder, action, actor)
    SELECT n.updated_at, n.network, n.ip, n.mac,
           CASE WHEN n.client_id IS NOT NULL THEN 'id:' || n.client_id ELSE 'mac:' || n.mac::text END,
           n.state, n.actor
    FROM inserted_leases n
    WHERE n.state <> 'offered';
    RETURN NULL;
END
$$;

CREATE FUNCTION lease_history_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO history (at, network, ip, mac, holder, action, actor)
    SELECT n.updated_at, n.network, n.ip, n.mac,
           CASE WHEN n.client_id IS NOT NULL THEN 'id:' || n.client_id ELSE 'mac:' || n.mac::text END,
           n.state, n.actor
    FROM updated_leases n JOIN leases_before o ON o.network = n.network AND o.ip = n.ip
    WHERE n.state <> 'offered'
      AND (o.state <> n.state OR o.mac <> n.mac OR o.client_id IS DISTINCT FROM n.client_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER leases_history_inserted AFTER INSERT ON leases
    REFERENCING NEW TABLE AS inserted_leases
    FOR EACH STATEMENT EXECUTE FUNCTION lease_history_inserted();

CREATE TRIGGER leases_history_updated AFTER UPDATE ON leases
    REFERENCING OLD TABLE AS leases_before NEW TABLE AS updated_leases
    FOR EACH STATEMENT EXECUTE FUNCTION lease_history_updated();
