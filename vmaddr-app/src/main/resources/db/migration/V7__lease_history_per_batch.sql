-- Issue 24: the lease history at less cost per lease, by the same rule, in the same transaction (so it
-- stays exact whichever server wrote and whatever was in the row before). A lease batch is one multi-row
-- INSERT ... ON CONFLICT DO UPDATE; the row-level trigger of V1/V5 called its PL/pgSQL function for every
-- row of it, renewals included, and ran one single-row INSERT into history (executor start-up, four
-- index insertions) per new lease.
--
-- New leases: a statement-level trigger sees the statement's inserted rows in a transition table and
-- adds their history with ONE INSERT ... SELECT. (PostgreSQL allows transition tables only on
-- single-event triggers; an INSERT ... ON CONFLICT DO UPDATE fires the INSERT trigger with the inserted
-- rows only.) Offers are not history (the rule of V1): rows in state 'offered' add none.

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

-- An update adds history only when the holder or the state changes (a renewal adds none, and is most of
-- the updates). That test is the trigger's WHEN clause, evaluated by the executor per row without calling
-- any function: a renewal costs nothing here, a change runs one single-row INSERT. (A statement-level
-- UPDATE trigger joining its old and new transition tables cost 0.2 ms per statement in the two-server
-- benchmark, whose batches are renewals of ~7 rows, while adding no row.)
CREATE FUNCTION lease_history_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO history (at, network, ip, mac, holder, action, actor)
    VALUES (NEW.updated_at, NEW.network, NEW.ip, NEW.mac,
            CASE WHEN NEW.client_id IS NOT NULL THEN 'id:' || NEW.client_id ELSE 'mac:' || NEW.mac::text END,
            NEW.state, NEW.actor);
    RETURN NULL;
END
$$;

CREATE TRIGGER leases_history_inserted AFTER INSERT ON leases
    REFERENCING NEW TABLE AS inserted_leases
    FOR EACH STATEMENT EXECUTE FUNCTION lease_history_inserted();

CREATE TRIGGER leases_history_changed AFTER UPDATE ON leases
    FOR EACH ROW
    WHEN (NEW.state <> 'offered' AND (OLD.state <> NEW.state OR OLD.mac <> NEW.mac
                                     OR OLD.client_id IS DISTINCT FROM NEW.client_id))
    EXECUTE FUNCTION lease_history_changed();
