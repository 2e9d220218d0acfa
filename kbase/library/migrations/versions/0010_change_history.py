"""the change log becomes a history: who, which fields (old and new), a checksum chain (issue 19)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("change") as batch:
        batch.add_column(sa.Column("db_user", STR(), nullable=True))
        batch.add_column(sa.Column("user", STR(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fields", sa.Text(), nullable=True))
        batch.add_column(sa.Column("secret", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("checksum", STR(), nullable=True))
    op.create_index("ix_change_record", "change", ["kind", "record_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    op.drop_index("ix_change_record", "change")
    with op.batch_alter_table("change") as batch:
        for name in ("checksum", "secret", "fields", "version", "user", "db_user"):
            batch.drop_column(name)


# The text hashed is the one kbase.catalogue.history.chain_hash builds (SQLite); these functions run as
# the owner (SECURITY DEFINER): they number and chain rows a reader or librarian may not see.
HASH = """
CREATE OR REPLACE FUNCTION kbase_change_hash(prev text, c change) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws('|', coalesce(prev, ''), c.seq::text, c.kind, c.record_id::text, c.op,
      coalesce(c.db_user, ''), coalesce(c."user", ''), coalesce(c.version::text, ''), coalesce(c.fields, ''),
      CASE WHEN c.secret THEN 't' ELSE 'f' END,
      to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')), 'UTF8')), 'hex')
$$"""

APPEND = """
CREATE OR REPLACE FUNCTION kbase_change_append() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  last_seq integer;
  last_sum text;
BEGIN
  PERFORM pg_advisory_xact_lock(461212054373);  -- kbase.catalogue.records.CHANGE_LOG_LOCK
  SELECT seq, checksum INTO last_seq, last_sum FROM change ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.db_user := session_user;
  NEW.at := clock_timestamp();
  NEW.checksum := kbase_change_hash(last_sum, NEW);
  RETURN NEW;
END $$"""

REFUSE = """
CREATE OR REPLACE FUNCTION kbase_change_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_has_role(current_user, (SELECT tableowner FROM pg_tables
                                    WHERE tablename = 'change' AND schemaname = current_schema()), 'USAGE') THEN
    RAISE EXCEPTION 'the change log is append-only: % refused for %', TG_OP, current_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$"""

VERIFY = """
CREATE OR REPLACE FUNCTION kbase_change_verify(after integer, expect text)
RETURNS TABLE (head integer, head_checksum text, broken_at integer, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  prev_seq integer := after;
  prev text := expect;
  got text;
  r change;
BEGIN
  IF after > 0 THEN
    SELECT c.checksum INTO got FROM change c WHERE c.seq = after;
    IF NOT FOUND THEN
      RETURN QUERY SELECT after, NULL::text, after, 'the change this desktop read last is gone'; RETURN;
    END IF;
    IF expect IS NOT NULL AND got IS DISTINCT FROM expect THEN
      RETURN QUERY SELECT after, NULL::text, after, 'the change this desktop read last was rewritten'; RETURN;
    END IF;
    prev := got;
  END IF;
  FOR r IN SELECT * FROM change c WHERE c.seq > after ORDER BY c.seq LOOP
    IF r.checksum IS NULL THEN
      IF prev IS NOT NULL THEN
        RETURN QUERY SELECT prev_seq, prev, r.seq, 'a change lost its checksum'; RETURN;
      END IF;
      prev_seq := r.seq;
      CONTINUE;
    END IF;
    IF prev IS NOT NULL AND r.seq <> prev_seq + 1 THEN
      RETURN QUERY SELECT prev_seq, prev, prev_seq + 1, 'changes are missing'; RETURN;
    END IF;
    IF r.checksum IS DISTINCT FROM kbase_change_hash(prev, r) THEN
      RETURN QUERY SELECT prev_seq, prev, r.seq, 'a change was rewritten'; RETURN;
    END IF;
    prev_seq := r.seq;
    prev := r.checksum;
  END LOOP;
  RETURN QUERY SELECT prev_seq, prev, NULL::integer, NULL::text;
END $$"""

HEAD = """
CREATE OR REPLACE FUNCTION kbase_change_head(OUT head integer, OUT head_checksum text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
  SELECT seq, checksum FROM change ORDER BY seq DESC LIMIT 1
$$"""

PG_UP = [
    HASH, APPEND, REFUSE, VERIFY, HEAD,
    "CREATE TRIGGER kbase_change_append BEFORE INSERT ON change FOR EACH ROW EXECUTE FUNCTION kbase_change_append()",
    "CREATE TRIGGER kbase_change_refuse BEFORE UPDATE OR DELETE ON change "
    "FOR EACH ROW EXECUTE FUNCTION kbase_change_refuse()",
    "CREATE TRIGGER kbase_change_refuse_truncate BEFORE TRUNCATE ON change EXECUTE FUNCTION kbase_change_refuse()",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS kbase_change_refuse_truncate ON change",
    "DROP TRIGGER IF EXISTS kbase_change_refuse ON change",
    "DROP TRIGGER IF EXISTS kbase_change_append ON change",
    "DROP FUNCTION IF EXISTS kbase_change_head()",
    "DROP FUNCTION IF EXISTS kbase_change_verify(integer, text)",
    "DROP FUNCTION IF EXISTS kbase_change_refuse()",
    "DROP FUNCTION IF EXISTS kbase_change_append()",
    "DROP FUNCTION IF EXISTS kbase_change_hash(text, change)",
]
