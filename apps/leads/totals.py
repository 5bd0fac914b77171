"""The lead totals the dashboard reads on PostgreSQL (each post's attributed leads and
their converted value, on content_post; LeadStatusTotals per workspace and status;
LeadHourlyTotals per workspace, UTC hour of creation and status), recomputed from leads_lead.

Triggers on leads_lead keep them, installed here by the migrations (leads 0011_lead_totals,
0013 for the hourly totals, then 0014 for the post's columns) and, where they are missing,
after `migrate` (the test suite builds its database without migrations).
`rebuild_lead_totals` recomputes them from the leads: once when the triggers are installed,
and for operators (`manage.py rebuild_lead_totals`) should they ever drift (a restore of one
table but not the others)."""

from __future__ import annotations

from django.db import connections, transaction

# The rollups of leads_lead (Post.attributed_leads and attributed_value, LeadStatusTotals,
# LeadHourlyTotals),
# kept by statement-level triggers with transition tables: each INSERT, UPDATE or DELETE,
# whatever wrote it (the ORM, bulk_create, .update(), cascades, raw SQL), adds its rows'
# DELTAS: INSERT ... ON CONFLICT DO UPDATE SET n = t.n + EXCLUDED.n for the statuses and
# hours, UPDATE content_post SET attributed_leads = attributed_leads + delta for the posts.
# Deltas stay right with concurrent writers in READ COMMITTED (the row lock serialises the
# additions); recomputing a key from leads_lead would lose one writer's change when two
# commit together.
# Keys are locked in a stable order (ORDER BY, the posts' rows by id with FOR NO KEY UPDATE
# before they are updated) so two statements touching the same keys never deadlock; a
# workspace's status rows before any post's, so a transaction that makes leads (ingestion:
# insert, then credit) waits for another such transaction of the workspace before it holds
# any post's row. A status row whose totals fall to zero is deleted; only leads arriving make
# a new one. Leads leaving a status that has no row are leads whose workspace is being
# deleted, whose rows the cascade took first: writing them back would leave negative totals
# behind. A post's totals are its own row's: a post being deleted (or gone already) is simply
# not found and not updated. The functions run as the invoker (the app's role, bound by
# row-level security): the rows they write are the lead's own workspace's, and a lead's post
# is matched by workspace too.
# Cost: a lead-writing transaction holds its workspace's status rows and its posts' rows
# until it commits, so two of one workspace wait for each other (another workspace's never),
# and so does an edit of one of those posts; transactions that change leads of several
# statuses in opposite orders can deadlock (PostgreSQL aborts one). The posts' two columns
# are in post_published_cover_idx, so their update is not a HOT update: each changed post
# gets new index entries.


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
        WITH delta AS (
            SELECT source_post_id, workspace_id, sum(sign) AS leads,
                coalesce(sum(sign * value_eur) FILTER (WHERE status = 'converted'), 0) AS won
            FROM ({rows}) d
            WHERE source_post_id IS NOT NULL AND status <> 'not_a_lead'
            GROUP BY source_post_id, workspace_id
        ), locked AS MATERIALIZED (
            SELECT post.id, delta.leads, delta.won
            FROM delta JOIN content_post post
                ON post.id = delta.source_post_id AND post.workspace_id = delta.workspace_id
            WHERE delta.leads <> 0 OR delta.won <> 0
            ORDER BY post.id
            FOR NO KEY UPDATE OF post
        )
        UPDATE content_post p SET
            attributed_leads = p.attributed_leads + locked.leads,
            attributed_value = p.attributed_value + locked.won
        FROM locked
        WHERE p.id = locked.id;
    """  # noqa: S608
    if "old_rows" in sources:  # only a lead leaving a status can bring its totals to zero
        statements += """
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
-- with it): emptied leads, zero totals.
CREATE OR REPLACE FUNCTION leads_lead_totals_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE content_post SET attributed_leads = 0, attributed_value = 0
    WHERE attributed_leads <> 0 OR attributed_value <> 0;
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
    """Whether the tables and columns the triggers write are there (leads 0013 applied)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('leads_leadstatustotals') IS NOT NULL "
            "AND to_regclass('leads_leadhourlytotals') IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'content_post' AND column_name = 'attributed_leads')"
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


# The same definitions as the triggers': a post's leads are the leads credited to it
# (source_post) that are not "not a lead", its value the converted ones'; a status's n and
# value every lead of that status. `%(w)s` is a workspace id, or NULL for all.
_FRESH_POSTS = """
SELECT source_post_id AS post_id, workspace_id, count(*)::int AS leads,
    coalesce(sum(value_eur) FILTER (WHERE status = 'converted'), 0) AS converted_value
FROM leads_lead
WHERE source_post_id IS NOT NULL AND status <> 'not_a_lead'
    AND (workspace_id = %(w)s OR %(w)s::bigint IS NULL)
GROUP BY source_post_id, workspace_id
"""
# The posts whose kept totals are not zero.
_KEPT_POSTS = """
SELECT id AS post_id, workspace_id, attributed_leads AS leads,
    attributed_value AS converted_value
FROM content_post
WHERE (attributed_leads <> 0 OR attributed_value <> 0)
    AND (workspace_id = %(w)s OR %(w)s::bigint IS NULL)
"""
# Every post whose kept totals differ from the fresh ones (kept without leads, leads not
# kept, or both but other numbers) set to the fresh ones: only those rows are written.
_REPAIR_POSTS = f"""
UPDATE content_post p SET
    attributed_leads = coalesce(fresh.leads, 0),
    attributed_value = coalesce(fresh.converted_value, 0)
FROM ({_KEPT_POSTS}) kept FULL JOIN ({_FRESH_POSTS}) fresh ON fresh.post_id = kept.post_id
WHERE p.id = coalesce(fresh.post_id, kept.post_id)
    AND p.workspace_id = coalesce(fresh.workspace_id, kept.workspace_id)
    AND (kept.leads, kept.converted_value) IS DISTINCT FROM (fresh.leads, fresh.converted_value)
"""  # noqa: S608
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
    Returns how many posts have leads and how many status rows there are now, and how many
    posts and status rows differed before. Writers of leads wait meanwhile (a SHARE lock on
    leads_lead until the transaction ends), so no change slips between the reading and the
    writing. The caller works across workspaces (across_workspaces) or names the workspace
    to the database."""
    params = {"w": workspace_id}
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("LOCK TABLE leads_lead IN SHARE MODE")
        cursor.execute(_REPAIR_POSTS, params)
        differing = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM ({_KEPT_POSTS}) kept", params)  # noqa: S608
        posts = cursor.fetchone()[0]
        for fresh, kept in ((_FRESH_STATUSES, _KEPT_STATUSES), (_FRESH_HOURS, _KEPT_HOURS)):
            cursor.execute(_DIFFERENCES.format(fresh=fresh, kept=kept), params)
            differing += cursor.fetchone()[0]
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
