-- vmaddr schema for store: postgresql. Applied by Flyway on every `vmaddr serve` start; Flyway holds a
-- PostgreSQL advisory lock while it migrates, so several servers starting at once on one database is safe.

-- Every lease write and removal takes a number from here: a per-row version that only grows, so a
-- server's in-memory copy can tell a newer row from an older one whatever order it learns them in.
CREATE SEQUENCE change_seq;

CREATE TABLE networks (
    name       text PRIMARY KEY,
    spec       jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE leases (
    network    text NOT NULL,
    ip         inet NOT NULL CHECK (family(ip) = 4 AND masklen(ip) = 32),
    mac        macaddr NOT NULL,
    client_id  text CHECK (client_id ~ '^([0-9a-f]{2})+$'),
    hostname   text,
    state      text NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'expired', 'declined')),
    expires_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- the writing server's clock when it checked the address was free (its `now`); shows clock skew
    -- between servers, and lets one multi-row statement carry a different `now` per row
    written_at timestamptz NOT NULL,
    seq        bigint NOT NULL,
    -- transaction that wrote the row: servers poll `txid >= <oldest transaction still running when
    -- they last looked>` to learn other servers' writes without missing late commits
    txid       xid8 NOT NULL,
    -- one record per address: the database itself refuses a second holder
    PRIMARY KEY (network, ip)
);
CREATE INDEX leases_txid ON leases (txid);

-- Removed lease records, so other servers drop them from memory too.
CREATE TABLE lease_removals (
    network text NOT NULL,
    ip      inet NOT NULL,
    seq     bigint NOT NULL,
    txid    xid8 NOT NULL,
    removed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lease_removals_txid ON lease_removals (txid);

CREATE TABLE macs (
    mac        macaddr PRIMARY KEY,
    state      text NOT NULL CHECK (state IN ('allocated', 'reserved', 'observed', 'quarantined')),
    owner      text,
    until      timestamptz CHECK (state <> 'quarantined' OR until IS NOT NULL),
    updated_at timestamptz NOT NULL
);

CREATE TABLE documents (
    kind text NOT NULL,
    key  text NOT NULL,
    doc  text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, key)
);

CREATE TABLE history (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL,
    network text,
    ip      inet,
    mac     macaddr,
    holder  text,
    action  text NOT NULL
);
CREATE INDEX history_at ON history (at);
CREATE INDEX history_ip ON history (ip);
CREATE INDEX history_mac ON history (mac);

-- History of who held an address, written by the database in the same transaction as the lease, so
-- it is exact whichever server wrote and whatever was in the row before. Offers are not history.
CREATE FUNCTION lease_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state <> 'offered' AND (TG_OP = 'INSERT' OR OLD.state <> NEW.state OR OLD.mac <> NEW.mac
                                   OR OLD.client_id IS DISTINCT FROM NEW.client_id) THEN
        INSERT INTO history (at, network, ip, mac, holder, action)
        VALUES (NEW.updated_at, NEW.network, NEW.ip, NEW.mac,
                CASE WHEN NEW.client_id IS NOT NULL THEN 'id:' || NEW.client_id ELSE 'mac:' || NEW.mac::text END,
                NEW.state);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER leases_history AFTER INSERT OR UPDATE ON leases
    FOR EACH ROW EXECUTE FUNCTION lease_history();

CREATE FUNCTION lease_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lease_removals (network, ip, seq, txid)
    VALUES (OLD.network, OLD.ip, nextval('change_seq'), pg_current_xact_id());
    RETURN NULL;
END
$$;
CREATE TRIGGER leases_removed AFTER DELETE ON leases
    FOR EACH ROW EXECUTE FUNCTION lease_removed();

-- History of MAC ownership, likewise written by the database with the MAC record.
CREATE FUNCTION mac_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.state <> NEW.state OR OLD.owner IS DISTINCT FROM NEW.owner THEN
        INSERT INTO history (at, mac, holder, action)
        VALUES (NEW.updated_at, NEW.mac, NEW.owner,
                CASE NEW.state WHEN 'allocated' THEN 'mac-allocated' WHEN 'quarantined' THEN 'mac-released'
                               ELSE 'mac-' || NEW.state END);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER macs_history AFTER INSERT OR UPDATE ON macs
    FOR EACH ROW EXECUTE FUNCTION mac_history();
