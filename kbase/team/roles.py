"""Who may do what in a team library: PostgreSQL roles, grants and row-level security."""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from kbase.errors import InvalidInput, LibraryError
from kbase.i18n import N_
from kbase.library.db import Library
from kbase.team.reconnect import NotAllowed

READER = "kbase_reader"
LIBRARIAN = "kbase_librarian"
ADMIN = "kbase_admin"
CONFIDENTIAL = "kbase_confidential"  # a capability: members see confidential records
GROUPS = {"reader": READER, "librarian": LIBRARIAN, "admin": ADMIN}
USER_NAME = re.compile(r"^[a-z_][a-z0-9_.\-]{0,62}$")

# Tables whose rows hide when a record they belong to is confidential: table -> condition.
# The conditions use EXISTS on the parent so the parent's own policy decides (it applies
# inside policy subqueries too), which keeps each rule in one place.
_PUB = "EXISTS (SELECT 1 FROM publication p WHERE p.id = {t}.publication_id)"
_PROJ = "EXISTS (SELECT 1 FROM project j WHERE j.id = {t}.project_id)"
_EVENT = "EXISTS (SELECT 1 FROM event e WHERE e.id = {t}.event_id)"
CHILD_RULES: dict[str, str] = {
    "attachment": "{t}.publication_id IS NULL OR " + _PUB,
    "page_text": "EXISTS (SELECT 1 FROM attachment a WHERE a.id = {t}.attachment_id)",
    "contributor": _PUB,
    "publication_project": _PUB + " AND " + _PROJ,
    "publication_region": _PUB,
    "publication_subject": _PUB,
    "project_organisation": _PROJ,
    "project_region": _PROJ,
    "project_subject": _PROJ,
    "assignment": _PROJ,
    "assignment_client": "EXISTS (SELECT 1 FROM assignment a WHERE a.id = {t}.assignment_id)",
    "event_person": _EVENT,
    # issue 19: the links and words around a record hide with it
    "publication_organisation": _PUB,
    "event_organisation": _EVENT,
    "publication_relation": _PUB + " AND EXISTS (SELECT 1 FROM publication o WHERE o.id = {t}.other_id)",
    "publication_link": _PUB,
    "note": "kbase_record_visible({t}.kind, {t}.record_id)",
    "collection_item": "kbase_record_visible({t}.kind, {t}.record_id)",
    "person_alias": "EXISTS (SELECT 1 FROM person x WHERE x.id = {t}.person_id)",
    "person_role": "EXISTS (SELECT 1 FROM person x WHERE x.id = {t}.person_id)",
    "organisation_alias": "EXISTS (SELECT 1 FROM organisation x WHERE x.id = {t}.organisation_id)",
    # people and organisations that exist only through confidential records
    "person": "kbase_sees_confidential() OR NOT kbase_person_secret({t}.id)",
    "organisation": "kbase_sees_confidential() OR NOT kbase_organisation_secret({t}.id)",
    "trash": ("kbase_sees_confidential() "
              "OR coalesce({t}.snapshot::jsonb #>> '{{0,1,0,visibility}}', '') <> 'confidential'"),
}
# a secret record's share in another table: (table, its key to the record, the record's table)
_SECRET_USES: dict[str, list[tuple[str, str, str | None]]] = {
    "person": [("contributor", "person_id", "publication"), ("event_person", "person_id", "event")],
    "organisation": [("contributor", "organisation_id", "publication"), ("publication", "publisher_id", None),
                     ("publication_organisation", "organisation_id", "publication"),
                     ("project_organisation", "organisation_id", "project"),
                     ("event_organisation", "organisation_id", "event")],
}
# uses that make a person or organisation public whatever else it is linked to
_PLAIN_USES: dict[str, list[tuple[str, str]]] = {"person": [("person_role", "person_id")],
               "organisation": [("organisation", "parent_id"), ("person_role", "organisation_id"),
                                ("finance_line", "organisation_id"), ("assignment_client", "organisation_id")]}
VISIBILITY_TABLES = ("publication", "project", "event")
POLICY = "kbase_visible"


def _require_pg(lib: Library) -> None:
    if not lib.is_shared:
        raise InvalidInput(N_("roles and users exist only in PostgreSQL libraries; "
                           "a SQLite library is guarded by its folder's permissions"))


def _exec(conn: Connection, sql: str, **params: Any) -> Any:
    return conn.execute(text(sql), params)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _role_exists(conn: Connection, name: str) -> bool:
    return bool(_exec(conn, "SELECT 1 FROM pg_roles WHERE rolname = :n", n=name).scalar())


def _tables(conn: Connection) -> list[str]:
    rows = _exec(conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [r[0] for r in rows]


def setup(lib: Library) -> list[str]:
    """Create the roles, grants and policies; safe to run again (after each schema upgrade)."""
    _require_pg(lib)
    done: list[str] = []
    try:
        with lib.engine.begin() as conn:
            for role in (READER, LIBRARIAN, ADMIN, CONFIDENTIAL):
                if not _role_exists(conn, role):
                    _exec(conn, f"CREATE ROLE {role} NOLOGIN")
                    done.append(N_("created role {role}").format(role=role))
            _exec(conn, f"GRANT {READER} TO {LIBRARIAN}")
            _exec(conn, f"GRANT {LIBRARIAN}, {CONFIDENTIAL} TO {ADMIN}")
            _grant(conn)
            tables = _tables(conn)
            done.append(N_("granted read on {n} tables to {reader}, write to {librarian}").format(
                n=len(tables), reader=READER, librarian=LIBRARIAN))
            _policies(conn, tables)
            done.append(N_("row-level security: confidential records visible only to {role}").format(role=CONFIDENTIAL))
    except (DBAPIError, NotAllowed) as exc:
        raise LibraryError(N_("cannot set up roles: {reason} (run `kbase admin setup` as the library's owner or a "
                              "superuser)").format(reason=_reason(exc))) from exc
    return done


def _grant(conn: Connection) -> None:
    db = _exec(conn, "SELECT current_database()").scalar()
    schema = _ident(_exec(conn, "SELECT current_schema()").scalar())
    _exec(conn, f"GRANT CONNECT ON DATABASE {_ident(db)} TO {READER}")
    _exec(conn, f"GRANT USAGE ON SCHEMA {schema} TO {READER}")
    _exec(conn, f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {READER}")
    _exec(conn, f"GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {LIBRARIAN}")
    _exec(conn, f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {LIBRARIAN}")
    # the schema version is the owner's business: librarians must not fake an upgrade
    _exec(conn, f"REVOKE INSERT, UPDATE, DELETE ON TABLE alembic_version FROM {LIBRARIAN}")
    # tables that later migrations create (as this owner) get the same grants
    _exec(conn, f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT ON TABLES TO {READER}")
    _exec(conn, f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT INSERT, UPDATE, DELETE ON TABLES TO {LIBRARIAN}")
    _exec(conn, f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {LIBRARIAN}")


def _policies(conn: Connection, tables: list[str]) -> None:
    schema = _ident(_exec(conn, "SELECT current_schema()").scalar())
    _exec(conn, f"""
        CREATE OR REPLACE FUNCTION kbase_sees_confidential() RETURNS boolean
        LANGUAGE sql STABLE AS $$ SELECT pg_has_role(current_user, '{CONFIDENTIAL}', 'MEMBER') $$""")
    # runs as the owner, past the policies: a stored file is secret when every attachment
    # using it belongs to a confidential publication
    _exec(conn, f"""
        CREATE OR REPLACE FUNCTION kbase_file_confidential(file_sha text) RETURNS boolean
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
          SELECT EXISTS (SELECT 1 FROM attachment a JOIN publication p ON p.id = a.publication_id
                         WHERE a.sha256 = file_sha AND p.visibility = 'confidential')
             AND NOT EXISTS (SELECT 1 FROM attachment a LEFT JOIN publication p ON p.id = a.publication_id
                             WHERE a.sha256 = file_sha AND (p.id IS NULL OR p.visibility <> 'confidential'))
        $$""")
    _secret_functions(conn, schema, tables)
    rules = {t: "visibility <> 'confidential' OR kbase_sees_confidential()" for t in VISIBILITY_TABLES}
    rules.update({t: rule.format(t=t) for t, rule in CHILD_RULES.items()})
    for table, rule in rules.items():
        if table not in tables:
            continue
        _exec(conn, f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        _exec(conn, f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        _exec(conn, f"CREATE POLICY {POLICY} ON {table} USING ({rule})")
    if "stored_file" in tables:
        _exec(conn, "ALTER TABLE stored_file ENABLE ROW LEVEL SECURITY")
        for name, command, clause in (
            (POLICY, "SELECT", "USING (kbase_sees_confidential() OR NOT kbase_file_confidential(sha256))"),
            ("kbase_add", "INSERT", "WITH CHECK (true)"),
            ("kbase_change", "UPDATE", "USING (true)"),
            ("kbase_remove", "DELETE", "USING (true)"),
        ):
            _exec(conn, f"DROP POLICY IF EXISTS {name} ON stored_file")
            _exec(conn, f"CREATE POLICY {name} ON stored_file FOR {command} {clause}")


def _secret_functions(conn: Connection, schema: str, tables: list[str]) -> None:
    """Functions the policies call, run as the owner past the policies: which people and
    organisations exist only through confidential records, and which changes are about a secret."""
    head = f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$"
    for kind, all_uses in _SECRET_USES.items():
        uses = [u for u in all_uses if u[0] in tables]

        def joined(vis: str, table: str, key: str, record: str | None) -> str:
            if record is None:  # the record's own column (a publication's publisher)
                return f"EXISTS (SELECT 1 FROM {table} r WHERE r.{key} = rid AND r.visibility {vis} 'confidential')"
            return (f"EXISTS (SELECT 1 FROM {table} u JOIN {record} r ON r.id = u.{record}_id "
                    f"WHERE u.{key} = rid AND r.visibility {vis} 'confidential')")
        secret = " OR ".join(joined("=", *u) for u in uses) or "false"
        public = [joined("<>", *u) for u in uses]
        public += [f"EXISTS (SELECT 1 FROM {t} u WHERE u.{key} = rid)" for t, key in _PLAIN_USES[kind] if t in tables]
        _exec(conn, f"""CREATE OR REPLACE FUNCTION kbase_{kind}_secret(rid integer) RETURNS boolean {head}
              SELECT ({secret}) AND NOT ({' OR '.join(public) or 'false'}) $$""")
    cases = " ".join(f"WHEN '{t}' THEN EXISTS (SELECT 1 FROM {t} r "
                     f"WHERE r.id = rid AND r.visibility = 'confidential')" for t in VISIBILITY_TABLES)
    _exec(conn, f"""CREATE OR REPLACE FUNCTION kbase_record_secret(k text, rid integer) RETURNS boolean {head}
          SELECT CASE k {cases}
            WHEN 'attachment' THEN EXISTS (SELECT 1 FROM attachment a JOIN publication p ON p.id = a.publication_id
                                           WHERE a.id = rid AND p.visibility = 'confidential')
            WHEN 'person' THEN kbase_person_secret(rid)
            WHEN 'organisation' THEN kbase_organisation_secret(rid)
            ELSE false END
          OR EXISTS (SELECT 1 FROM change c WHERE c.kind = k AND c.record_id = rid AND c.secret) $$""")
    _exec(conn, """CREATE OR REPLACE FUNCTION kbase_record_visible(k text, rid integer) RETURNS boolean
          LANGUAGE sql STABLE AS $$ SELECT kbase_sees_confidential() OR NOT kbase_record_secret(k, rid) $$""")
    if "change" in tables:  # a change about a secret hides, and so does one about a secret record since gone
        _exec(conn, "ALTER TABLE change ENABLE ROW LEVEL SECURITY")
        for name, command, clause in (
            (POLICY, "SELECT",
             "USING (op = 'hide' OR kbase_sees_confidential() "
             "OR NOT (secret OR kbase_record_secret(kind, record_id)))"),
            ("kbase_add", "INSERT", "WITH CHECK (true)"),
        ):
            _exec(conn, f"DROP POLICY IF EXISTS {name} ON change")
            _exec(conn, f"CREATE POLICY {name} ON change FOR {command} {clause}")
        # append-only for all but the owner (the trigger of migration 0010 says so too)
        _exec(conn, f"REVOKE UPDATE, DELETE, TRUNCATE ON TABLE change FROM {LIBRARIAN}, {READER}")


def add_user(lib: Library, name: str, role: str, password: str | None = None, confidential: bool = False) -> str:
    """Create or change a login with one of the roles; returns the password it was given."""
    _require_pg(lib)
    if role not in GROUPS:
        raise InvalidInput(N_("role must be one of: {groups} (got {role})").format(
            groups=', '.join(GROUPS), role=repr(role)))
    if not USER_NAME.match(name) or name.startswith("kbase_") or name in ("postgres", "public"):
        raise InvalidInput(N_("not a usable user name: {name} (lower-case letters, digits, _ . -; not kbase_…)").format(
            name=repr(name)))
    password = password or secrets.token_urlsafe(12)
    try:
        with lib.engine.begin() as conn:
            if not _role_exists(conn, READER):
                raise LibraryError(N_("the team roles do not exist yet: run `kbase admin setup` first"))
            verb = "ALTER" if _role_exists(conn, name) else "CREATE"
            create_role = " CREATEROLE" if role == "admin" else " NOCREATEROLE"
            _exec(conn, f"{verb} ROLE {_ident(name)} LOGIN{create_role} PASSWORD {_literal(password)}")
            for group in (*GROUPS.values(), CONFIDENTIAL):
                _exec(conn, f"REVOKE {group} FROM {_ident(name)}")
            # admins may hand the roles on to the users they create
            option = " WITH ADMIN OPTION" if role == "admin" else ""
            _exec(conn, f"GRANT {GROUPS[role]} TO {_ident(name)}{option}")
            if role == "admin":
                _exec(conn, f"GRANT {READER}, {LIBRARIAN}, {CONFIDENTIAL} TO {_ident(name)} WITH ADMIN OPTION")
            elif confidential:
                _exec(conn, f"GRANT {CONFIDENTIAL} TO {_ident(name)}")
    except (DBAPIError, NotAllowed) as exc:
        raise LibraryError(N_("cannot create user {name}: {reason}").format(name=name, reason=_reason(exc))) from exc
    return password


def drop_user(lib: Library, name: str) -> None:
    _require_pg(lib)
    try:
        with lib.engine.begin() as conn:
            if not _role_exists(conn, name):
                raise InvalidInput(N_("no user named {name}").format(name=repr(name)))
            if name not in _member_names(conn):
                raise InvalidInput(N_("{name} is not a Kbase user; drop it with psql if you mean it").format(
                    name=repr(name)))
            _exec(conn, f"DROP ROLE {_ident(name)}")
    except (DBAPIError, NotAllowed) as exc:
        raise LibraryError(N_("cannot drop user {name}: {reason}").format(name=name, reason=_reason(exc))) from exc


def _member_names(conn: Connection) -> set[str]:
    rows = _exec(conn, """
        SELECT u.rolname FROM pg_auth_members am
        JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles u ON u.oid = am.member
        WHERE g.rolname = ANY(:groups) AND u.rolcanlogin""", groups=[READER, LIBRARIAN, ADMIN])
    return {r[0] for r in rows}


def list_users(lib: Library) -> list[dict[str, Any]]:
    """Logins holding a Kbase role, with their strongest role and confidential access."""
    _require_pg(lib)
    with lib.engine.connect() as conn:
        names = sorted(_member_names(conn))
        out = []
        for name in names:
            has = {g: bool(_exec(conn, "SELECT pg_has_role(:u, :g, 'MEMBER')", u=name, g=g).scalar())
                   for g in (ADMIN, LIBRARIAN, READER, CONFIDENTIAL)}
            role = next(label for label, g in (("admin", ADMIN), ("librarian", LIBRARIAN), ("reader", READER))
                        if has[g])
            out.append({"user": name, "role": role, "confidential": has[CONFIDENTIAL]})
        return out


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    if isinstance(exc, NotAllowed) and isinstance(exc.__cause__, Exception):
        orig = exc.__cause__  # the server's own words, not the advice for librarians
    return str(orig or exc).strip().splitlines()[0]


__all__ = ["setup", "add_user", "drop_user", "list_users", "READER", "LIBRARIAN", "ADMIN", "CONFIDENTIAL"]
