-- Issue 20: history queries by IP, MAC or VM, newest first, paged by (at, id) — each one an index
-- range scan in that order, however large the table; and who made the change, with free detail.

ALTER TABLE history ADD COLUMN actor text;
ALTER TABLE history ADD COLUMN detail text;
-- The VM of holders 'vm/NAME/NIC' (lease rows hold 'mac:' or 'id:' and have none).
ALTER TABLE history ADD COLUMN vm text GENERATED ALWAYS AS
    (CASE WHEN holder LIKE 'vm/%' THEN split_part(holder, '/', 2) END) STORED;

DROP INDEX history_at;
DROP INDEX history_ip;
DROP INDEX history_mac;
CREATE INDEX history_at_id ON history (at, id);
CREATE INDEX history_ip_at_id ON history (ip, at, id) WHERE ip IS NOT NULL;
CREATE INDEX history_mac_at_id ON history (mac, at, id) WHERE mac IS NOT NULL;
CREATE INDEX history_vm_at_id ON history (vm, at, id) WHERE vm IS NOT NULL;
