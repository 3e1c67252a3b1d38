-- Issue 20: every history event names its actor (dhcp, api:<token name>, cni, libvirt, import). The
-- triggers derive lease and MAC events from the rows, so the rows carry the actor of their last write.

ALTER TABLE leases ADD COLUMN actor text;
ALTER TABLE macs ADD COLUMN actor text;

CREATE OR REPLACE FUNCTION lease_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state <> 'offered' AND (TG_OP = 'INSERT' OR OLD.state <> NEW.state OR OLD.mac <> NEW.mac
                                   OR OLD.client_id IS DISTINCT FROM NEW.client_id) THEN
        INSERT INTO history (at, network, ip, mac, holder, action, actor)
        VALUES (NEW.updated_at, NEW.network, NEW.ip, NEW.mac,
                CASE WHEN NEW.client_id IS NOT NULL THEN 'id:' || NEW.client_id ELSE 'mac:' || NEW.mac::text END,
                NEW.state, NEW.actor);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mac_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.state <> NEW.state OR OLD.owner IS DISTINCT FROM NEW.owner THEN
        INSERT INTO history (at, mac, holder, action, actor)
        VALUES (NEW.updated_at, NEW.mac, NEW.owner,
                CASE NEW.state WHEN 'allocated' THEN 'mac-allocated' WHEN 'quarantined' THEN 'mac-released'
                               ELSE 'mac-' || NEW.state END,
                NEW.actor);
    END IF;
    RETURN NULL;
END
$$;
