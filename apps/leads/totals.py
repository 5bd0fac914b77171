"""The lead totals the dashboard reads on PostgreSQL (PostLeadTotals per post,
LeadStatusTotals per workspace and status, LeadHourlyTotals per workspace, UTC hour of
creation and status), recomputed from leads_lead.

Triggers on leads_lead keep them, installed here by the migration (leads 0011_lead_totals)
and, where they are missing, after `migrate` (the test suite builds its database without
migrations). `rebuild_lead_totals` recomputes them from the leads: once when the triggers are
installed, and for operators (`manage.py rebuild_lead_totals`) should they ever drift (a
restore of one table but not the others)."""

from __future__ import annotations

from django.db import connections, transaction

# The rollups of leads_lead (the three totals tables), kept by statement-level
# triggers with transition tables: each INSERT, UPDATE or DELETE, whatever wrote it (the ORM,
# bulk_create, .update(), cascades, raw SQL), adds its rows' DELTAS with INSERT ... ON
# CONFLICT DO UPDATE SET n = t.n + EXCLUDED.n. Deltas stay right with concurrent writers in
# READ COMMITTED (the row lock serialises the additions); recomputing a key from leads_lead
# would lose one writer's change when two commit together. Keys are written in a stable order
# (ORDER BY) so two statements touching the same keys never deadlock; a workspace's status
# rows before any post's, so a transaction that makes leads (ingestion: insert, then credit)
# waits for another such transaction of the workspace before it holds any post's row. A row
# whose totals fall to zero is deleted. Only leads arriving make a new row: leads leaving a
# key that has no row are leads whose post or workspace is being deleted, whose rows the
# cascade took first (Django deletes them before it touches the leads); writing them back
# would leave negative totals behind. The functions run as the invoker (the app's role,
# bound by row-level security): the rows they write are the lead's own workspace's.
# Cost: a lead-writing transaction holds its workspace's status rows until it commits, so
# two of one workspace wait for each other (another workspace's never); transactions that
# change leads of several statuses in opposite orders can deadlock (PostgreSQL aborts one).


# The SQL below is put together from constants of this module only (the transition tables'
# names and their signs): no value from outside ever reaches it.


def _signed(rows: str, sign: int) -> str:
    return f"SELECT workspace_id, status, source_post_id, value_eur, {sign} AS sign FROM {rows}"  # noqa: S608


def _apply(sources: list[str]) -> str:
    """The statements adding the deltas of the transition tables named in `sources`
    (new_rows counted +1, old_rows -1), then deleting the rows they brought to zero."""
    rows = " UNION ALL ".join(_signed(name, 1 if name == "new_rows" else -1) for name in sources)
    statements = f"""
        INSERT INTO leads_leadstatustotals AS t (workspace_id, status, n, value)
        SELECT * FROM (
            SELECT workspace_id, status, sum(sign) AS n, coalesce(sum(sign * value_eur), 0) AS v
            FROM ({rows}) d
            GROUP BY workspace_id, status
        ) delta
        WHERE (n <> 0 OR v <> 0) AND (n > 0 OR EXISTS (
            SELECT 1 FROM leads_leadstatustotals kept
            WHERE kept.workspace_id = delta.workspace_id AND kept.status = delta.status
        ))
        ORDER BY workspace_id, status
        ON CONFLICT (workspace_id, status) DO UPDATE SET
            n = t.n + EXCLUDED.n, value = t.value + EXCLUDED.value;
        INSERT INTO leads_postleadtotals AS t (post_id, workspace_id, leads, converted_value)
        SELECT * FROM (
            SELECT source_post_id, workspace_id, sum(sign) AS leads,
                coalesce(sum(sign * value_eur) FILTER (WHERE status = 'converted'), 0) AS won
            FROM ({rows}) d
            WHERE source_post_id IS NOT NULL AND status <> 'not_a_lead'
            GROUP BY source_post_id, workspace_id
        ) delta
        WHERE (leads <> 0 OR won <> 0) AND (leads > 0 OR EXISTS (
            SELECT 1 FROM leads_postleadtotals kept WHERE kept.post_id = delta.source_post_id
        ))
        ORDER BY source_post_id
        ON CONFLICT (post_id) DO UPDATE SET
            leads = t.leads + EXCLUDED.leads,
            converted_value = t.converted_value + EXCLUDED.converted_value;
    """  # noqa: S608
    if "old_rows" in sources:  # only a lead leaving a key can bring its totals to zero
        statements += """
        DELETE FROM leads_postleadtotals t
        WHERE t.post_id IN (SELECT source_post_id FROM old_rows)
            AND t.leads = 0 AND t.converted_value = 0;
        DELETE FROM leads_leadstatustotals t
        WHERE (t.workspace_id, t.status) IN (SELECT workspace_id, status FROM old_rows)
            AND t.n = 0 AND t.value = 0;
        """
    return statements + _apply_hourly(sources)


def _signed_hours(rows: str, sign: int) -> str:
    hour = "date_trunc('hour', created_at, 'UTC')"
    return f"SELECT workspace_id, {hour} AS hour, status, value_eur, {sign} AS sign FROM {rows}"  # noqa: S608


def _apply_hourly(sources: list[str]) -> str:
    """The statements adding the deltas of `sources` to the hourly totals (LeadHourlyTotals),
    then deleting the rows they brought to zero: as _apply's, after the status and post rows
    (a workspace's status rows are still the first a transaction holds). The hour is
    truncated in UTC whatever the session's time zone (date_trunc of a timestamptz would
    otherwise use it: a :30 zone's hours differ)."""
    rows = " UNION ALL ".join(
        _signed_hours(name, 1 if name == "new_rows" else -1) for name in sources
    )
    statements = f"""
        INSERT INTO leads_leadhourlytotals AS t (workspace_id, hour, status, n, value, valued)
        SELECT * FROM (
            SELECT workspace_id, hour, status, sum(sign) AS n,
                coalesce(sum(sign * value_eur), 0) AS v,
                coalesce(sum(sign) FILTER (WHERE value_eur IS NOT NULL), 0) AS valued
            FROM ({rows}) d
            GROUP BY workspace_id, hour, status
        ) delta
        WHERE (n <> 0 OR v <> 0 OR valued <> 0) AND (n > 0 OR EXISTS (
            SELECT 1 FROM leads_leadhourlytotals kept
            WHERE kept.workspace_id = delta.workspace_id AND kept.hour = delta.hour
                AND kept.status = delta.status
        ))
        ORDER BY workspace_id, hour, status
        ON CONFLICT (workspace_id, hour, status) DO UPDATE SET
            n = t.n + EXCLUDED.n, value = t.value + EXCLUDED.value,
            valued = t.valued + EXCLUDED.valued;
    """  # noqa: S608
    if "old_rows" in sources:
        statements += """
        DELETE FROM leads_leadhourlytotals t
        WHERE (t.workspace_id, t.hour, t.status) IN (
            SELECT workspace_id, date_trunc('hour', created_at, 'UTC'), status FROM old_rows
        ) AND t.n = 0 AND t.value = 0 AND t.valued = 0;
        """
    if "new_rows" in sources and "old_rows" in sources:
        # Most updates that reach here move leads between posts (ingestion credits them)
        # and leave every column the hourly totals read alone: one look (as the trigger's
        # first) skips both statements.
        statements = f"""
        IF EXISTS (
            SELECT workspace_id, status, created_at, value_eur FROM new_rows
            EXCEPT ALL
            SELECT workspace_id, status, created_at, value_eur FROM old_rows
        ) THEN
            {statements}
        END IF;
        """  # noqa: S608
    return statements


CREATE_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION leads_lead_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(["new_rows"])}
    ELSIF TG_OP = 'UPDATE' THEN
        -- Rows whose totals' columns all stayed as they were (a score raised, notes, a
        -- follow-up date: most updates) bring no delta; when the updated rows' columns
        -- are the same multiset before and after, every delta is zero and the statements
        -- below would write nothing, so one look replaces them (was ~0.6 ms a score raise).
        -- Updated rows are as many after as before, so one direction of EXCEPT ALL is
        -- equality; NULLs compare equal in it, numbers by value (12.5 = 12.50).
        IF EXISTS (
            SELECT workspace_id, status, source_post_id, value_eur, created_at FROM new_rows
            EXCEPT ALL
            SELECT workspace_id, status, source_post_id, value_eur, created_at FROM old_rows
        ) THEN
            {_apply(["new_rows", "old_rows"])}
        END IF;
    ELSE
        {_apply(["old_rows"])}
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_lead_totals_insert AFTER INSERT ON leads_lead
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION leads_lead_totals();
CREATE TRIGGER leads_lead_totals_update AFTER UPDATE ON leads_lead
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION leads_lead_totals();
CREATE TRIGGER leads_lead_totals_delete AFTER DELETE ON leads_lead
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION leads_lead_totals();
-- TRUNCATE fires no row or statement trigger above (the test suite's flush empties tables
-- with it): emptied leads, empty totals.
CREATE OR REPLACE FUNCTION leads_lead_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM leads_postleadtotals;
    DELETE FROM leads_leadstatustotals;
    DELETE FROM leads_leadhourlytotals;
    RETURN NULL;
END
$$;
CREATE TRIGGER leads_lead_totals_truncate AFTER TRUNCATE ON leads_lead
    FOR EACH STATEMENT EXECUTE FUNCTION leads_lead_totals_truncate();
"""  # noqa: S608

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS leads_lead_totals_insert ON leads_lead;
DROP TRIGGER IF EXISTS leads_lead_totals_update ON leads_lead;
DROP TRIGGER IF EXISTS leads_lead_totals_delete ON leads_lead;
DROP TRIGGER IF EXISTS leads_lead_totals_truncate ON leads_lead;
DROP FUNCTION IF EXISTS leads_lead_totals();
DROP FUNCTION IF EXISTS leads_lead_totals_truncate();
"""

TRIGGERS = (
    "leads_lead_totals_insert",
    "leads_lead_totals_update",
    "leads_lead_totals_delete",
    "leads_lead_totals_truncate",
)


def install_lead_totals(*, using: str = "default") -> bool:
    """Create (or replace) the triggers and fill the totals from the leads already there,
    in one transaction: CREATE TRIGGER's lock on leads_lead holds writers off until it
    commits, so none slips between the two. Returns whether it did.

    Not before every totals table is there: the migrations that install (0011, 0012, 0013)
    run this module as it is now, whose triggers write every table, on a database migrated
    from scratch too; the one that makes the last table installs them."""
    if not _tables_exist(using):
        return False
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(DROP_TRIGGERS)
        cursor.execute(CREATE_TRIGGERS)
        rebuild_lead_totals(using=using)
    return True


def triggers_installed(*, using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'leads_lead'::regclass "
            "AND tgname = ANY(%s)",
            [list(TRIGGERS)],
        )
        return cursor.fetchone()[0] == len(TRIGGERS)


def _tables_exist(using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('leads_postleadtotals') IS NOT NULL "
            "AND to_regclass('leads_leadstatustotals') IS NOT NULL "
            "AND to_regclass('leads_leadhourlytotals') IS NOT NULL"
        )
        return cursor.fetchone()[0]


def install_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: on PostgreSQL, the triggers where they are missing (a database built
    without migrations, as the test suite's is). Not after `flush`, which sends the signal
    without a plan and changes no table, nor where the tables are not there (migrated back
    to before leads 0013)."""
    if sender.label != "leads" or "plan" not in kwargs:
        return
    if connections[using].vendor != "postgresql" or not _tables_exist(using):
        return
    if not triggers_installed(using=using):
        install_lead_totals(using=using)


# The same definitions as the triggers' and the migration's backfill: a post's leads are the
# leads credited to it (source_post) that are not "not a lead", its value the converted ones';
# a status's n and value every lead of that status. `%(w)s` is a workspace id, or NULL for all.
_FRESH_POSTS = """
SELECT source_post_id AS post_id, workspace_id, count(*)::int AS leads,
    coalesce(sum(value_eur) FILTER (WHERE status = 'converted'), 0) AS converted_value
FROM leads_lead
WHERE source_post_id IS NOT NULL AND status <> 'not_a_lead'
    AND (workspace_id = %(w)s OR %(w)s::bigint IS NULL)
GROUP BY source_post_id, workspace_id
"""
_FRESH_STATUSES = """
SELECT workspace_id, status, count(*)::int AS n, coalesce(sum(value_eur), 0) AS value
FROM leads_lead WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL
GROUP BY workspace_id, status
"""
_FRESH_HOURS = """
SELECT workspace_id, date_trunc('hour', created_at, 'UTC') AS hour, status, count(*)::int AS n,
    coalesce(sum(value_eur), 0) AS value, count(value_eur)::int AS valued
FROM leads_lead WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL
GROUP BY workspace_id, date_trunc('hour', created_at, 'UTC'), status
"""
_KEPT_POSTS = """
SELECT post_id, workspace_id, leads, converted_value FROM leads_postleadtotals
WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL
"""
_KEPT_STATUSES = """
SELECT workspace_id, status, n, value FROM leads_leadstatustotals
WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL
"""
_KEPT_HOURS = """
SELECT workspace_id, hour, status, n, value, valued FROM leads_leadhourlytotals
WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL
"""
# Rows in one set and not the other, both ways: how far the kept totals had drifted.
_DIFFERENCES = """
SELECT count(*) FROM (
    (({fresh}) EXCEPT ({kept})) UNION ALL (({kept}) EXCEPT ({fresh}))
) differing
"""


def rebuild_lead_totals(*, workspace_id: int | None = None, using: str = "default") -> dict:
    """Recompute the totals of one workspace (or of all) from leads_lead, on PostgreSQL.
    Returns how many rows each table has now and how many rows differed before. Writers of
    leads wait meanwhile (a SHARE lock on leads_lead until the transaction ends), so no
    change slips between the delete and the insert. The caller works across workspaces
    (across_workspaces) or names the workspace to the database."""
    params = {"w": workspace_id}
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("LOCK TABLE leads_lead IN SHARE MODE")
        differing = 0
        for fresh, kept in (
            (_FRESH_POSTS, _KEPT_POSTS),
            (_FRESH_STATUSES, _KEPT_STATUSES),
            (_FRESH_HOURS, _KEPT_HOURS),
        ):
            cursor.execute(_DIFFERENCES.format(fresh=fresh, kept=kept), params)
            differing += cursor.fetchone()[0]
        cursor.execute(
            "DELETE FROM leads_postleadtotals WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL",
            params,
        )
        cursor.execute(
            "DELETE FROM leads_leadstatustotals "
            "WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL",
            params,
        )
        cursor.execute(
            "DELETE FROM leads_leadhourlytotals "
            "WHERE workspace_id = %(w)s OR %(w)s::bigint IS NULL",
            params,
        )
        cursor.execute(
            "INSERT INTO leads_postleadtotals (post_id, workspace_id, leads, converted_value) "
            + _FRESH_POSTS,
            params,
        )
        posts = cursor.rowcount
        cursor.execute(
            "INSERT INTO leads_leadstatustotals (workspace_id, status, n, value) "
            + _FRESH_STATUSES,
            params,
        )
        statuses = cursor.rowcount
        cursor.execute(
            "INSERT INTO leads_leadhourlytotals (workspace_id, hour, status, n, value, valued) "
            + _FRESH_HOURS,
            params,
        )
        hours = cursor.rowcount
    return {"posts": posts, "statuses": statuses, "hours": hours, "differing": differing}
