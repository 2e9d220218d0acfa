"""changes made outside Kbase (psql) are logged too: the change log knows each row's transaction (issue 19)

On PostgreSQL a deferred trigger on the record tables and their links runs at commit: a record that
the transaction changed without writing a change row about it (an UPDATE typed in psql) gets one,
with who (the database user; the client's application name as the desktop user), the fields with
their old and new values, and a new version (unless the client is Kbase, which versions its own
writes), so other desktops' sync and the version check see it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# the record tables (kind = table name) and the tables of their links: table -> (kind, key to the record)
RECORDS = ("publication", "project", "organisation", "person", "region", "programme", "series", "subject",
           "event", "attachment")
LINKS = {
    **{t: ("publication", "publication_id") for t in (
        "contributor", "publication_link", "publication_organisation", "publication_project",
        "publication_region", "publication_relation", "publication_subject")},
    **{t: ("project", "project_id") for t in ("project_organisation", "project_region", "project_subject")},
    **{t: ("event", "event_id") for t in ("event_organisation", "event_person")},
    "person_alias": ("person", "person_id"),
    "organisation_alias": ("organisation", "organisation_id"),
    "region_alias": ("region", "region_id"),
    "page_text": ("attachment", "attachment_id"),
}


def upgrade() -> None:
    with op.batch_alter_table("change") as batch:
        batch.add_column(sa.Column("txn", sa.BigInteger(), nullable=True))
    op.create_index("ix_change_txn", "change", ["txn", "kind", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_up():
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in pg_down():
            op.execute(statement)
    op.drop_index("ix_change_txn", "change")
    with op.batch_alter_table("change") as batch:
        batch.drop_column("txn")


TXN = """
CREATE OR REPLACE FUNCTION kbase_change_txn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.txn := txid_current();  -- the top transaction's, also inside a savepoint
  RETURN NEW;
END $$"""

# {field: [old, new]} for the fields that differ, as kbase.catalogue.history.diff skips them
DIFF = """
CREATE OR REPLACE FUNCTION kbase_change_fields(o jsonb, n jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_object_agg(k, jsonb_build_array(coalesce(o -> k, 'null'), coalesce(n -> k, 'null')))::text
  FROM (SELECT jsonb_object_keys(coalesce(o, '{}')) UNION SELECT jsonb_object_keys(coalesce(n, '{}'))) AS f(k)
  WHERE k NOT IN ('id', 'version', 'created', 'updated', 'title_norm')
    AND coalesce(o -> k, 'null') IS DISTINCT FROM coalesce(n -> k, 'null')
$$"""

# A cheap check runs for every row event at commit (most are Kbase's, logged already); the logging
# itself runs as the owner (past row-level security; the change row still names the session's user).
LOGGED = """
CREATE OR REPLACE FUNCTION kbase_change_logged(rkind text, rid integer, deleted boolean) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM change c WHERE c.txn = txid_current() AND c.kind = rkind AND c.record_id = rid
                 AND (NOT deleted OR c.op = 'delete'))
$$"""

OUTSIDE = """
CREATE OR REPLACE FUNCTION kbase_change_outside(rkind text, own boolean, top text, rid integer, o jsonb, n jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  client text := coalesce(nullif(current_setting('application_name', true), ''), 'SQL');
  who text := '[' || client || ']';
  bump boolean := client <> 'kbase';  -- Kbase bumps versions itself (an import's undo compares them)
  now_row jsonb;
  made integer;
  hidden boolean := false;
  stamp timestamp := now() AT TIME ZONE 'UTC';  -- Kbase keeps UTC without a zone
BEGIN
  IF kbase_change_logged(rkind, rid, own AND top = 'DELETE') THEN
    RETURN;  -- the caller could not see it (row-level security), or another row of the record logged it
  END IF;
  EXECUTE format('SELECT to_jsonb(t) FROM %I t WHERE t.id = $1', rkind) INTO now_row USING rid;
  IF NOT own THEN
    IF now_row IS NULL THEN
      RETURN;  -- the record went too: its own delete is logged
    END IF;
    IF bump THEN
      EXECUTE format('UPDATE %I SET version = version + 1, updated = $2 WHERE id = $1 RETURNING version', rkind)
        INTO made USING rid, stamp;
    ELSE
      made := (now_row ->> 'version')::integer;
    END IF;
    INSERT INTO change (kind, record_id, op, at, "user", version, secret)
      VALUES (rkind, rid, 'update', now(), who, made, false);
    RETURN;
  END IF;
  IF top = 'DELETE' THEN
    hidden := o ->> 'visibility' = 'confidential' OR (rkind = 'attachment' AND EXISTS (
      SELECT 1 FROM publication p WHERE p.id = (o ->> 'publication_id')::integer AND p.visibility = 'confidential'));
    INSERT INTO change (kind, record_id, op, at, "user", fields, secret)
      VALUES (rkind, rid, 'delete', now(), who, kbase_change_fields(o, NULL), coalesce(hidden, false));
    RETURN;
  END IF;
  IF bump AND top = 'UPDATE' AND now_row IS NOT NULL AND (now_row -> 'version') = (o -> 'version') THEN
    -- the version check of other desktops must see this change
    EXECUTE format('UPDATE %I SET version = version + 1, updated = $2 WHERE id = $1 RETURNING to_jsonb(%I)',
                   rkind, rkind) INTO now_row USING rid, stamp;
  END IF;
  now_row := coalesce(now_row, n);
  INSERT INTO change (kind, record_id, op, at, "user", version, fields, secret)
    VALUES (rkind, rid, lower(top), now(), who, (now_row ->> 'version')::integer, kbase_change_fields(o, now_row),
            false);
  IF coalesce(o ->> 'visibility', '') <> 'confidential' AND now_row ->> 'visibility' = 'confidential' THEN
    -- the bare twin Kbase writes too: desktops that saw the record drop it from their index
    INSERT INTO change (kind, record_id, op, at, "user", secret) VALUES (rkind, rid, 'hide', now(), who, false);
  END IF;
END $$"""

# one trigger function per key column (the record's id, or a link's key to its record). They run as
# the owner with the owner's search path (a temporary table named change cannot stand in for the log)
# and only for the library's own tables; only they may call kbase_change_outside (see PRIVATE).
ROW_EVENT = """
CREATE OR REPLACE FUNCTION kbase_outside_{key}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  own boolean := TG_ARGV[1] = 'id';
BEGIN
  IF TG_TABLE_SCHEMA <> current_schema() THEN
    RETURN NULL;  -- someone's own table with this trigger: not the library's
  END IF;
  IF TG_OP <> 'INSERT' THEN
    IF OLD.{key} IS NOT NULL AND NOT kbase_change_logged(TG_ARGV[0], OLD.{key}, own AND TG_OP = 'DELETE') THEN
      PERFORM kbase_change_outside(TG_ARGV[0], own, TG_OP, OLD.{key}, to_jsonb(OLD),
                                   CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(NEW) END);
    END IF;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.{key} IS NOT NULL AND NOT kbase_change_logged(TG_ARGV[0], NEW.{key}, false) THEN
      PERFORM kbase_change_outside(TG_ARGV[0], own, TG_OP, NEW.{key}, NULL, to_jsonb(NEW));
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    IF NEW.{key} IS DISTINCT FROM OLD.{key} AND NEW.{key} IS NOT NULL
       AND NOT kbase_change_logged(TG_ARGV[0], NEW.{key}, false) THEN  -- a link moved to another record
      PERFORM kbase_change_outside(TG_ARGV[0], own, 'UPDATE', NEW.{key}, to_jsonb(OLD), to_jsonb(NEW));
    END IF;
  END IF;
  RETURN NULL;
END $$"""


def _trigger(table: str) -> str:
    return f"kbase_{table}_outside"


def _keys() -> list[str]:
    return sorted({key for _kind, key in LINKS.values()} | {"id"})


def _private() -> list[str]:
    """The logging runs as the owner: nobody may call it but the triggers (which cannot be called)."""
    return ["REVOKE EXECUTE ON FUNCTION kbase_change_outside(text, boolean, text, integer, jsonb, jsonb) FROM PUBLIC",
            *(f"REVOKE EXECUTE ON FUNCTION kbase_outside_{key}() FROM PUBLIC" for key in _keys())]


def pg_up() -> list[str]:
    out = [TXN, DIFF, LOGGED, OUTSIDE, *(ROW_EVENT.replace("{key}", key) for key in _keys()), *_private(),
           "CREATE TRIGGER kbase_change_txn BEFORE INSERT ON change FOR EACH ROW EXECUTE FUNCTION kbase_change_txn()"]
    for table, (kind, key) in [*((t, (t, "id")) for t in RECORDS), *LINKS.items()]:
        out.append(f"CREATE CONSTRAINT TRIGGER {_trigger(table)} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                   f"EXECUTE FUNCTION kbase_outside_{key}('{kind}', '{key}')")
    return out


def pg_down() -> list[str]:
    out = [f"DROP TRIGGER IF EXISTS {_trigger(t)} ON {t}" for t in (*RECORDS, *LINKS)]
    out += [f"DROP FUNCTION IF EXISTS kbase_outside_{key}()" for key in _keys()]
    return out + ["DROP TRIGGER IF EXISTS kbase_change_txn ON change",
                  "DROP FUNCTION IF EXISTS kbase_change_outside(text, boolean, text, integer, jsonb, jsonb)",
                  "DROP FUNCTION IF EXISTS kbase_change_logged(text, integer, boolean)",
                  "DROP FUNCTION IF EXISTS kbase_change_fields(jsonb, jsonb)",
                  "DROP FUNCTION IF EXISTS kbase_change_txn()"]
