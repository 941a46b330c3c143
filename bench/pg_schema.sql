-- The PostgreSQL side of bench/compare: a tamper-evident audit table built the way teams build
-- one today on PostgreSQL 15. bench/compare applies it as the superuser to an empty database,
-- with psql -v app_password=... ; sealtrail-pgload (bench/pg_workloads.cc) then connects as
-- audit_app, which may only INSERT and SELECT.
--
--   audit_event       one row per event, INSERT-only. The loader fills the typed columns
--                     (copies of the record's fields, for the indexes and filters) and `record`,
--                     the whole event as the same serialized bytes sealtrail stores (~300 bytes).
--   audit_chain_head  one row: the last seq and chain hash. A BEFORE INSERT trigger locks it,
--                     so inserts are chained one after another, and hashes each row into the
--                     chain: chain_hash = sha256(previous chain_hash || seq || recorded_at ||
--                     record). A verifier walks the rows in seq order, recomputes every hash,
--                     and checks the typed columns against `record`.
--
-- Durability is the server's: synchronous_commit = on, fsync = on, full_page_writes on (the
-- defaults, set explicitly by bench/compare), so a COMMIT returns after its WAL is flushed.
\set ON_ERROR_STOP on

CREATE ROLE audit_owner NOLOGIN;
CREATE ROLE audit_app LOGIN PASSWORD :'app_password';
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO audit_app;
GRANT CREATE, USAGE ON SCHEMA public TO audit_owner;

SET ROLE audit_owner;

CREATE TABLE audit_event (
  seq         bigint      PRIMARY KEY,  -- Chain position, set by the trigger.
  recorded_at timestamptz NOT NULL,     -- Commit order time, set by the trigger.
  tenant_id   text        NOT NULL,
  actor       text        NOT NULL,
  action      text        NOT NULL,
  outcome     text        NOT NULL,     -- SUCCESS, FAILURE or DENIED.
  event_time  timestamptz NOT NULL,     -- The client's own time of the event.
  trace_id    bytea       NOT NULL,     -- W3C trace id, 16 bytes (or empty).
  record      bytea       NOT NULL,     -- The whole event, details included.
  chain_hash  bytea       NOT NULL      -- sha256(previous chain_hash || seq || recorded_at || record).
);
CREATE INDEX audit_event_tenant_time ON audit_event (tenant_id, recorded_at);
CREATE INDEX audit_event_tenant_actor_time ON audit_event (tenant_id, actor, recorded_at);

CREATE TABLE audit_chain_head (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  seq      bigint  NOT NULL,
  hash     bytea   NOT NULL
);
INSERT INTO audit_chain_head VALUES (true, 0, sha256(''::bytea));

-- Chains each new row. The chain is one sequence, so every insert must see the hash of the row
-- before it: SELECT ... FOR UPDATE takes the head row's lock, which is held until the inserting
-- transaction commits or aborts. Any real implementation must serialize like this (without it
-- two concurrent transactions read the same head and fork the chain, and an aborted
-- transaction's hash would be chained into the next); the price is that the inserts of all
-- connections run one transaction at a time, each holding the lock through its WAL flush at
-- COMMIT. SECURITY DEFINER: audit_app needs no right on audit_chain_head, so it cannot move
-- the head.
CREATE FUNCTION audit_event_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head audit_chain_head%ROWTYPE;
BEGIN
  SELECT * INTO head FROM audit_chain_head WHERE only_row FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.recorded_at := clock_timestamp();
  NEW.chain_hash := sha256(head.hash || int8send(NEW.seq) ||
                           int8send((extract(epoch FROM NEW.recorded_at) * 1000000)::bigint) ||
                           NEW.record);
  UPDATE audit_chain_head SET seq = NEW.seq, hash = NEW.chain_hash WHERE only_row;
  RETURN NEW;
END
$$;
CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_chain();

-- INSERT-only, even for a role that is granted more by mistake (the owner and superusers can
-- still drop the triggers: the chain, checked by a verifier, is what detects that).
CREATE FUNCTION audit_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_event_refuse();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse();

RESET ROLE;

REVOKE ALL ON audit_event, audit_chain_head FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM audit_app;
GRANT INSERT, SELECT ON audit_event TO audit_app;
REVOKE EXECUTE ON FUNCTION audit_event_chain(), audit_event_refuse() FROM PUBLIC;
