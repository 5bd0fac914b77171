"""The dashboard benchmark's data at ten times the size, built inside PostgreSQL.

50,000 posts, 1,000,000 metric snapshots and 200,000 leads (with their commenters and first
comments) in the benchmark's workspace, and 1,000 other workspaces around it, each with 50
posts, 1,000 snapshots and 200 leads: another 50,000 posts, 1,000,000 snapshots and 200,000
leads, so every index holds other tenants' rows too. Made with INSERT ... SELECT over
generate_series, a few statements in all (the ORM's bulk_create would take many minutes), and
only when the benchmark runs with BENCH_DASHBOARD_SCALE=10. Values are drawn with a seeded
random() so two runs build the same data.
"""

from __future__ import annotations

import psycopg

TABLES = (
    "content_post",
    "analytics_metricsnapshot",
    "leads_lead",
    "leads_comment",
    "leads_commenter",
    "accounts_workspace",
    # The lead totals the triggers on leads_lead fill as the leads above go in (on the
    # posts, analysed above, and per status): left out, the dashboard read them from a table
    # never analysed nor vacuumed, whatever autovacuum had reached by then (a fresh
    # computation 172 ms in one run, 88 ms in the next with these analysed, all else equal).
    "leads_leadstatustotals",
    "leads_leadhourlytotals",
)


def populate(
    url: str,
    *,
    slug: str,
    posts: int,
    snapshots_per_post: int,
    leads: int,
    other_workspaces: int,
    other_posts: int,
    other_leads: int,
) -> dict[str, int]:
    from apps.content.models import Framework

    frameworks = [choice for choice, _label in Framework.choices]
    with psycopg.connect(url, autocommit=False) as conn:
        run = conn.execute
        run("SELECT setseed(0.2026)")
        workspace, user, plan, subscription = run(
            "SELECT w.id, m.user_id, w.plan, w.subscription_status FROM accounts_workspace w "
            "JOIN accounts_membership m ON m.workspace_id = w.id WHERE w.slug = %s",
            [slug],
        ).fetchone()
        others = []
        if other_workspaces:
            others = [
                row[0]
                for row in run(
                    "INSERT INTO accounts_workspace "
                    "(name, slug, timezone, plan, subscription_status, posting_paused, created_at) "
                    "SELECT 'Neighbour ' || n, 'neighbour-' || n, 'Europe/Berlin', %s, %s, false, "
                    "now() FROM generate_series(1, %s) n RETURNING id",
                    [plan, subscription, other_workspaces],
                ).fetchall()
            ]
        _posts(run, [workspace], user, posts, frameworks)
        _posts(run, others, user, other_posts, frameworks)
        every = [workspace, *others]
        run(
            "INSERT INTO analytics_metricsnapshot (workspace_id, post_id, captured_at, "
            "impressions, members_reached, reactions, comments, reshares, source) "
            "SELECT p.workspace_id, p.id, "
            "least(now(), p.published_at + k * interval '3 hours'), "
            "p.impressions * k / %(n)s, p.members_reached * k / %(n)s, p.reactions * k / %(n)s, "
            "p.comment_count * k / %(n)s, p.reshares * k / %(n)s, 'analytics' "
            "FROM content_post p CROSS JOIN generate_series(1, %(n)s) k "
            "WHERE p.workspace_id = ANY(%(every)s)",
            {"n": snapshots_per_post, "every": every},
        )
        _leads(run, [workspace], leads)
        _leads(run, others, other_leads)
        conn.commit()
        conn.autocommit = True
        counts = {
            table: run(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("content_post", "analytics_metricsnapshot", "leads_lead")
        }
    vacuum_analyze(url)
    return counts


def vacuum_analyze(url: str) -> None:
    """VACUUM ANALYZE the dashboard's tables, as autovacuum would have long before a visit."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM ANALYZE {table}")


def _posts(run, workspaces: list[int], user: int, per_workspace: int, frameworks) -> None:
    if not workspaces or not per_workspace:
        return
    run(
        "INSERT INTO content_post (workspace_id, author_id, status, text, first_comment, topic, "
        "framework, template_key, hook, backend, generation_note, review_comment, created_at, "
        "updated_at, status_reason, publish_attempts, reconcile_checks, linkedin_urn, "
        "linkedin_url, first_comment_urn, first_comment_error, published_at, impressions, "
        "members_reached, reactions, comment_count, reshares, metrics_at) "
        "SELECT w, %(user)s, 'published', "
        "'Benchmark post ' || n || ': we cut deploy time from ' || (n %% 90 + 10) "
        "|| ' to 8 minutes.', '', 'Topic ' || (n %% 40), "
        "(%(frameworks)s::text[])[1 + n %% %(k)s], 'bench-template-' || (n %% 12), "
        "'We cut deploy time from ' || (n %% 90 + 10) || ' to 8 minutes.', '', '', '', "
        "published, published, '', 1, 0, 'urn:li:share:' || (10^15 + w * 10^6 + n)::bigint, '', "
        "'', '', published, impressions, impressions * 7 / 10, (random() * 300)::int, "
        "(random() * 60)::int, (random() * 20)::int, "
        "least(now(), published + interval '3 days') "
        "FROM unnest(%(workspaces)s::bigint[]) w CROSS JOIN generate_series(1, %(n)s) n "
        "CROSS JOIN LATERAL (SELECT now() - random() * interval '180 days' + n * interval '0 s' "
        "AS published, (200 + random() * 19800)::int AS impressions) drawn",
        {
            "user": user,
            "frameworks": frameworks,
            "k": len(frameworks),
            "workspaces": workspaces,
            "n": per_workspace,
        },
    )


def _leads(run, workspaces: list[int], per_workspace: int) -> None:
    """Commenters, one lead each credited to a random post of its workspace, and the comment
    that made it."""
    if not workspaces or not per_workspace:
        return
    run(
        "INSERT INTO leads_commenter (workspace_id, actor_urn, name, headline, first_seen_at, "
        "last_seen_at) SELECT w, 'urn:li:person:bench-' || w || '-' || n, 'Person ' || n, '', "
        "now(), now() FROM unnest(%s::bigint[]) w CROSS JOIN generate_series(1, %s) n",
        [workspaces, per_workspace],
    )
    run(
        "WITH posts AS (SELECT workspace_id, array_agg(id ORDER BY id) AS ids FROM content_post "
        "WHERE workspace_id = ANY(%(w)s) GROUP BY workspace_id), "
        "drawn AS (SELECT c.workspace_id, c.id AS commenter_id, random() AS r, "
        "posts.ids[1 + floor(random() * array_length(posts.ids, 1))::int] AS post_id "
        "FROM leads_commenter c JOIN posts USING (workspace_id) "
        "WHERE c.workspace_id = ANY(%(w)s)) "
        "INSERT INTO leads_lead (workspace_id, commenter_id, status, score, intent, notes, "
        "created_at, updated_at, status_changed_at, value_eur, source_post_id, "
        "first_commented_at) "
        "SELECT d.workspace_id, d.commenter_id, "
        # Lead statuses weighted as the ORM-built data draws them (40, 20, 15, 10, 10, 5).
        "CASE WHEN r < 0.40 THEN 'new' WHEN r < 0.60 THEN 'contacted' "
        "WHEN r < 0.75 THEN 'qualified' WHEN r < 0.85 THEN 'converted' "
        "WHEN r < 0.95 THEN 'lost' ELSE 'not_a_lead' END, (30 + random() * 69)::int, "
        "'inquiry', '', commented, commented, "
        "least(now(), commented + random() * interval '20 days'), "
        "CASE WHEN random() < 0.6 THEN (500 + random() * 19500)::int END, d.post_id, commented "
        "FROM drawn d JOIN content_post p ON p.id = d.post_id CROSS JOIN LATERAL "
        "(SELECT least(now(), p.published_at + random() * interval '4000 minutes') "
        "AS commented) t",
        {"w": workspaces},
    )
    run(
        "INSERT INTO leads_comment (workspace_id, post_id, commenter_id, lead_id, urn, "
        "parent_urn, text, commented_at, source, intent, intent_probability, lead_probability, "
        "score, score_parts, unsure, second_opinion, explanation, reply_urn, reply_text, "
        "ingested_at) SELECT l.workspace_id, l.source_post_id, l.commenter_id, l.id, "
        "'urn:li:comment:(bench,' || l.id || ')', '', "
        "'How did you get there? We are stuck at 40 minutes.', l.first_commented_at, "
        "'linkedin', 'inquiry', 0.9, 0.9, l.score, '[]', '', '', '[]', '', '', "
        "l.first_commented_at FROM leads_lead l WHERE l.workspace_id = ANY(%s)",
        [workspaces],
    )
