-- Issue 22: DHCPv6 leases in their own table, so that servers sharing the database never give one
-- IPv6 address to two clients. Before this they were documents (kind 'lease6'), written as given:
-- two servers could each hand out the same address. Now a write is one conditional upsert that the
-- row lock orders across servers, exactly like table leases for IPv4 (see PgLease6Store).
CREATE TABLE lease6 (
    network    text NOT NULL,
    ip         inet NOT NULL CHECK (family(ip) = 6 AND masklen(ip) = 128),
    duid       text NOT NULL CHECK (duid ~ '^[0-9a-f]{2}(:[0-9a-f]{2})+$'),
    iaid       bigint NOT NULL CHECK (iaid BETWEEN 0 AND 4294967295),
    mac        macaddr,
    hostname   text,
    state      text NOT NULL CHECK (state IN ('offered', 'bound', 'released', 'expired', 'declined')),
    expires_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    -- which opened store wrote the row (store_origin): a server polls only the others' writes
    origin     integer NOT NULL DEFAULT 0,
    -- transaction that wrote the row: polled as for table leases (txid >= the last snapshot's xmin)
    txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    -- one record per address: the database itself refuses a second holder
    PRIMARY KEY (network, ip)
);
CREATE INDEX lease6_txid ON lease6 (txid);

-- The documents written before this migration move over (origin 0: every server reads them).
INSERT INTO lease6 (network, ip, duid, iaid, mac, hostname, state, expires_at, updated_at)
SELECT d.doc::jsonb->>'network', (d.doc::jsonb->>'ip')::inet, d.doc::jsonb->>'duid', (d.doc::jsonb->>'iaid')::bigint,
       (d.doc::jsonb->>'mac')::macaddr, d.doc::jsonb->>'hostname', d.doc::jsonb->>'state',
       (d.doc::jsonb->>'expiresAt')::timestamptz, (d.doc::jsonb->>'updatedAt')::timestamptz
FROM documents d WHERE d.kind = 'lease6'
ON CONFLICT (network, ip) DO NOTHING;
DELETE FROM documents WHERE kind = 'lease6';
