"""The dashboard: figures recomputed from raw rows, fixed query counts, htmx partial, access."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.analytics import selectors
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post
from apps.leads.models import Comment, Commenter, Lead
from apps.leads.services import attribute_comment

pytestmark = pytest.mark.django_db


def make_post(workspace, *, days_ago, impressions, reactions=0, comments=0, reshares=0, **kw):
    published = timezone.now() - timedelta(days=days_ago)
    kw.setdefault("hook", f"Hook {days_ago}")
    return Post.objects.create(
        workspace=workspace,
        status=Post.Status.PUBLISHED,
        text="text",
        published_at=published,
        impressions=impressions,
        reactions=reactions,
        comment_count=comments,
        reshares=reshares if impressions is not None else None,
        metrics_at=published,
        **kw,
    )


def make_lead(workspace, post, *, n, status=Lead.Status.NEW, value=None, days_ago=1):
    commenter = Commenter.objects.create(workspace=workspace, actor_urn=f"urn:li:person:{n}")
    lead = Lead.objects.create(
        workspace=workspace,
        commenter=commenter,
        status=status,
        value_eur=value,
        created_at=timezone.now() - timedelta(days=days_ago),
        status_changed_at=timezone.now() - timedelta(days=days_ago),
    )
    comment = Comment.objects.create(
        workspace=workspace,
        post=post,
        commenter=commenter,
        lead=lead,
        urn=f"urn:li:comment:{n}",
        text="Can we talk?",
        commented_at=post.published_at + timedelta(hours=1),
    )
    attribute_comment(lead=lead, comment=comment)
    return lead


@pytest.fixture
def history(alice_workspace):
    w = alice_workspace
    a = make_post(
        w,
        days_ago=2,
        impressions=1000,
        reactions=30,
        comments=5,
        reshares=5,
        framework="pas",
        template_key="story",
    )
    b = make_post(
        w,
        days_ago=10,
        impressions=3000,
        reactions=60,
        comments=20,
        reshares=10,
        framework="aida",
        template_key="list",
    )
    make_post(
        w,
        days_ago=20,
        impressions=None,
        reactions=7,
        comments=2,
        framework="pas",
        template_key="story",
    )
    old = make_post(w, days_ago=40, impressions=2000, reactions=10, comments=0, reshares=0)
    make_lead(w, a, n=1, value=Decimal("5000"))
    make_lead(w, a, n=2, status=Lead.Status.CONVERTED, value=Decimal("8000"), days_ago=3)
    make_lead(w, b, n=3, status=Lead.Status.QUALIFIED, value=Decimal("2000"), days_ago=9)
    make_lead(w, old, n=4, value=Decimal("1000"), days_ago=45)
    make_lead(w, b, n=5, status=Lead.Status.NOT_A_LEAD, value=Decimal("9999"))
    MetricSnapshot.objects.create(workspace=w, post=a, impressions=1000, reactions=30)
    return w


def expected_figures(workspace, days):
    """The dashboard's figures, recomputed from raw rows in plain Python."""
    now = timezone.now()
    start, prev = now - timedelta(days=days), now - timedelta(days=2 * days)
    posts = list(Post.objects.filter(workspace=workspace, status="published"))
    current = [p for p in posts if start <= p.published_at < now]
    known = [p for p in current if p.impressions is not None]
    impressions = sum(p.impressions for p in known) if known else None
    engagement = sum(p.reactions + p.comment_count + (p.reshares or 0) for p in known)
    leads = [x for x in Lead.objects.filter(workspace=workspace) if x.status != "not_a_lead"]
    new = [x for x in leads if start <= x.created_at < now]
    return {
        "published": len(current),
        "impressions": impressions,
        "engagement_rate": engagement * 100 / impressions if impressions else None,
        "new_leads": len(new),
        "new_leads_before": len([x for x in leads if prev <= x.created_at < start]),
        "pipeline_value": sum(
            x.value_eur or 0 for x in new if x.status in ("new", "contacted", "qualified")
        ),
        "converted_value": sum(
            x.value_eur or 0
            for x in leads
            if x.status == "converted" and start <= x.status_changed_at < now
        ),
        "missing": len(current) - len(known),
    }


@pytest.mark.parametrize("days", [7, 30, 90])
def test_dashboard_figures_equal_figures_computed_from_the_raw_rows(alice_client, history, days):
    response = alice_client.get(f"/w/alice-co/?days={days}")
    assert response.status_code == 200
    data = response.context["data"]
    expected = expected_figures(history, days)
    for key in ("published", "impressions", "new_leads", "pipeline_value", "converted_value"):
        assert data.figures[key] == expected[key], key
    assert data.figures["engagement_rate"] == pytest.approx(expected["engagement_rate"])
    assert data.previous["new_leads"] == expected["new_leads_before"]
    assert data.missing_impressions == expected["missing"]


def test_the_30_day_page_shows_the_numbers(alice_client, history):
    html = alice_client.get("/w/alice-co/?days=30").content.decode()
    # 1,000 + 3,000 impressions (post c has none); (40 + 90) / 4,000 = 3.25 %
    assert 'data-figure="impressions">4,000<' in html
    assert 'data-figure="engagement_rate">3.2%<' in html or "3.3%" in html
    assert 'data-figure="new_leads">3<' in html
    assert "Impressions, reach and reshares are missing for 1 post" in html
    assert "Posts (CSV)" in html


def test_leads_are_attributed_to_the_post_of_their_first_comment(history):
    rows = {g.key: g for g in selectors.leads_by(workspace=history, dimension="template_key")}
    assert rows["story"].leads == 2
    assert rows["story"].posts == 2
    assert rows["story"].impressions == 1000
    assert rows["story"].converted_value == Decimal("8000")
    assert rows["story"].leads_per_1000 == pytest.approx(2.0)
    assert rows["list"].leads == 1  # the "not a lead" does not count
    assert rows["list"].leads_per_1000 == pytest.approx(1 / 3)
    assert rows[""].leads == 1
    by_framework = selectors.leads_by(workspace=history, dimension="framework")
    assert by_framework[0].key == "pas"  # sorted by leads per 1,000 impressions
    assert {g.key for g in selectors.leads_by(workspace=history, dimension="weekday_hour")}
    with pytest.raises(ValueError, match="dimension"):
        selectors.leads_by(workspace=history, dimension="colour")


def test_template_performance_favours_templates_that_bring_inquiries(history):
    performance = selectors.template_performance(workspace=history)
    assert performance["story"] > 1.0 > performance["list"]
    assert all(0.5 <= v <= 2.0 for v in performance.values())


def test_over_time_is_per_publication_day(alice_workspace):
    make_post(alice_workspace, days_ago=1, impressions=100, reactions=5)
    make_post(alice_workspace, days_ago=1, impressions=50, reactions=1, comments=1)
    data = selectors.dashboard(workspace=alice_workspace, days=7)
    assert sum(i for _, i, _ in data.by_day) == 150
    assert sum(e for _, _, e in data.by_day) == 7
    assert max(i for _, i, _ in data.by_day) == 150


def test_a_workspace_without_posts_keeps_the_onboarding_steps(alice_client, alice_workspace):
    response = alice_client.get("/w/alice-co/")
    assert "Welcome, Alice Archer" in response.text
    assert "Get your first inquiry" in response.text


def test_published_workspace_shows_charts_with_table_alternatives(alice_client, history):
    html = alice_client.get("/w/alice-co/").content.decode()
    assert "Get your first inquiry" not in html
    assert html.count('<svg class="chart-svg"') == 3
    assert html.count('class="visually-hidden"') >= 3
    assert "/w/alice-co/content/" in html  # top posts link to the post


def test_the_period_chooser_swaps_only_the_body_for_htmx(alice_client, history):
    response = alice_client.get("/w/alice-co/?days=7", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="dash-body" data-days="7"')
    assert "<nav" not in response.text.split("heatmap")[0]


def test_the_period_links_mark_the_new_period_after_an_htmx_swap(alice_client, history):
    # The links sit outside the swapped body: they come along out of band, the chosen period
    # marked as the current one, the others not.
    response = alice_client.get("/w/alice-co/?days=7", headers={"HX-Request": "true"})
    links = response.text.split('<span id="dash-period-links"')[1]
    assert links.startswith(' hx-swap-oob="true">')
    assert '<a href="?days=7"' in links
    current = [
        part.split('"')[0]
        for part in links.split('<a href="?days=')[1:]
        if "aria-current" in part.split(">")[0]
    ]
    assert current == ["7"]
    # A full page carries the links in place, not out of band.
    page = alice_client.get("/w/alice-co/?days=30").text
    assert '<span id="dash-period-links">' in page


def _grow(workspace, n):
    for i in range(n):
        post = make_post(
            workspace,
            days_ago=i % 25 + 1,
            impressions=100 + i,
            reactions=i,
            framework="pas",
            template_key=f"t{i % 4}",
        )
        make_lead(workspace, post, n=1000 + i, value=Decimal(10))


# Queries for the full page, the same for 1 post and for 20: user (the session from the
# cache), savepoint and release and membership (workspace_view), the fingerprint (posts and
# leads in one);
# then, computing afresh: the period's posts grouped and its top posts (on SQLite: its posts
# and the leads attributed to them), totals of the previous period's posts, the leads created
# and those converted per day, the funnel, the templates' names, the best-time model's posts
# with their leads (one query: the leads are columns of the post on PostgreSQL, a counting
# subquery on SQLite); and base.html's membership list and
# unread-notification count. ("Ever published" only runs when neither period has posts.)
@pytest.mark.parametrize("n", [1, 20])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    alice_client, alice_workspace, django_assert_num_queries, n
):
    _grow(alice_workspace, n)
    with django_assert_num_queries(PAGE_QUERIES):
        assert alice_client.get("/w/alice-co/?days=30").status_code == 200


# The htmx body: the same minus base.html's two (membership list, unread count).
@pytest.mark.parametrize("n", [1, 20])
def test_the_dashboard_partial_runs_a_fixed_number_of_queries(
    alice_client, alice_workspace, django_assert_num_queries, n
):
    _grow(alice_workspace, n)
    with django_assert_num_queries(PARTIAL_QUERIES):
        response = alice_client.get("/w/alice-co/?days=7", headers={"HX-Request": "true"})
        assert response.status_code == 200


# A second visit while nothing changed: the fingerprint's query instead of the figures'.
@pytest.mark.parametrize("n", [1, 20])
def test_a_second_visit_is_served_from_the_cache_in_fewer_queries(
    alice_client, alice_workspace, django_assert_num_queries, n
):
    _grow(alice_workspace, n)
    first = alice_client.get("/w/alice-co/?days=30")
    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        second = alice_client.get("/w/alice-co/?days=30")
    assert second.status_code == 200
    assert _body(second) == _body(first)


# One fewer than before the fingerprint's two MAX queries became one statement, and one fewer
# again since sessions are read from the cache (SESSION_ENGINE).
PAGE_QUERIES = 14
PARTIAL_QUERIES = 13
CACHED_PAGE_QUERIES = 6


def _body(response) -> str:
    text = response.content.decode()
    return text[text.index('<div id="dash-body"') :]


def _figure(response, name: str) -> str:
    text = response.content.decode()
    start = text.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return text[start : text.index("<", start)]


def test_a_lead_marked_converted_shows_on_the_next_visit_despite_the_cache(
    alice_client, alice, history
):
    from apps.leads.services import lead_update

    assert _figure(alice_client.get("/w/alice-co/?days=30"), "converted_value") == "€8,000"
    lead = Lead.objects.get(workspace=history, commenter__actor_urn="urn:li:person:1")
    lead_update(lead=lead, actor=alice, status=Lead.Status.CONVERTED)
    assert _figure(alice_client.get("/w/alice-co/?days=30"), "converted_value") == "€13,000"


def test_new_metrics_show_on_the_next_visit_despite_the_cache(alice_client, history):
    assert _figure(alice_client.get("/w/alice-co/?days=30"), "impressions") == "4,000"
    post = Post.objects.get(workspace=history, impressions=1000)
    Post.objects.filter(pk=post.pk).update(impressions=1500, metrics_at=timezone.now())
    assert _figure(alice_client.get("/w/alice-co/?days=30"), "impressions") == "4,500"


def test_a_new_lead_shows_on_the_next_visit_despite_the_cache(alice_client, history):
    assert _figure(alice_client.get("/w/alice-co/?days=7"), "new_leads") == "2"
    post = Post.objects.get(workspace=history, impressions=1000)
    make_lead(history, post, n=77, days_ago=0)
    assert _figure(alice_client.get("/w/alice-co/?days=7"), "new_leads") == "3"


def test_a_comment_marked_not_a_lead_leaves_the_figures_on_the_next_visit(
    alice_client, alice, history
):
    from apps.leads.services import feedback_record

    assert _figure(alice_client.get("/w/alice-co/?days=7"), "new_leads") == "2"
    comment = Comment.objects.get(workspace=history, urn="urn:li:comment:1")
    feedback_record(comment=comment, actor=alice, is_lead=False)
    assert _figure(alice_client.get("/w/alice-co/?days=7"), "new_leads") == "1"


def _top_post_leads(response, hook: str) -> str:
    body = _body(response)
    row = body.index(hook, body.index("data-top-leads") - 400)
    start = body.index("data-top-leads>", row) + len("data-top-leads>")
    return body[start : body.index("<", start)]


def test_a_lead_credited_to_another_post_shows_on_the_next_visit(alice_client, history):
    assert _top_post_leads(alice_client.get("/w/alice-co/?days=30"), "Hook 20") == "0"
    lead = Lead.objects.get(workspace=history, commenter__actor_urn="urn:li:person:4")
    recent = Post.objects.get(workspace=history, hook="Hook 20")
    earlier = Comment.objects.create(
        workspace=history,
        post=recent,
        commenter=lead.commenter,
        lead=lead,
        urn="urn:li:comment:earlier",
        text="Can we talk?",
        commented_at=timezone.now() - timedelta(days=60),  # imported, older than all
    )
    attribute_comment(lead=lead, comment=earlier)
    assert _top_post_leads(alice_client.get("/w/alice-co/?days=30"), "Hook 20") == "1"


def test_the_cached_dashboard_is_kept_per_language(alice_client, history):
    english = alice_client.get("/w/alice-co/?days=30")
    assert "Posts published" in english.content.decode()
    german = alice_client.get("/w/alice-co/?days=30", headers={"Accept-Language": "de"})
    assert "Veröffentlichte Posts" in german.content.decode()
    assert "Posts published" not in _body(german)


def test_with_caching_off_every_visit_computes_afresh(
    alice_client, history, settings, django_assert_num_queries
):
    settings.DASHBOARD_CACHE_SECONDS = 0
    alice_client.get("/w/alice-co/?days=30")
    # The history has posts measured without impressions: the warning names the analytics
    # capability's state, three queries more (the connection, the facts, forwarding in use);
    # with nothing cached there is no cache key to make, so no fingerprint: one fewer.
    with django_assert_num_queries(PAGE_QUERIES + 3 - 1):
        alice_client.get("/w/alice-co/?days=30")


def test_a_viewer_sees_the_dashboard_and_an_outsider_gets_404(client, charlie_client, history, bob):
    assert charlie_client.get("/w/alice-co/").status_code == 404
    assert charlie_client.get("/w/alice-co/analytics/?days=7").status_code == 404
    client.force_login(bob)
    assert client.get("/w/alice-co/analytics/?days=90").status_code == 200


def test_post_metrics_show_the_curve_comments_and_leads(alice_client, history):
    post = Post.objects.get(workspace=history, hook="Hook 2")
    url = f"/w/alice-co/analytics/posts/{post.pk}/"
    response = alice_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="post-metrics"')
    assert len(response.context["leads"]) == 2
    assert '<svg class="chart-svg"' in response.text
    assert alice_client.get(url).status_code == 200
    page = alice_client.get(f"/w/alice-co/content/{post.pk}/")
    assert url in page.text


def test_charlie_cannot_see_alices_post_metrics_or_exports(charlie_client, history):
    post = Post.objects.get(workspace=history, hook="Hook 2")
    for url in (
        f"/w/alice-co/analytics/posts/{post.pk}/",
        "/w/alice-co/analytics/export/posts.csv",
        "/w/alice-co/analytics/export/leads.csv",
    ):
        assert charlie_client.get(url).status_code == 404


def test_results_are_also_grouped_by_topic_time_slot_and_hook(alice_client, alice, alice_workspace):
    from apps.analytics.selectors import dashboard

    Post.objects.create(
        workspace=alice_workspace,
        author=alice,
        text="A",
        hook="Hook A",
        topic="Kafka",
        status=Post.Status.PUBLISHED,
        impressions=1000,
        published_at=timezone.now() - timedelta(days=1),
    )
    data = dashboard(workspace=alice_workspace, days=30)
    assert [g.label for g in data.by_topic] == ["Kafka"]
    assert [g.label for g in data.by_hook] == ["Hook A"]
    assert len(data.by_slot) == 1
    page = alice_client.get("/w/alice-co/")
    assert "Results by topic" in page.text
    assert "Results by time slot" in page.text


def test_markup_in_a_topic_and_a_hook_is_shown_as_text_in_every_table(
    alice_client, alice_workspace
):
    make_post(
        alice_workspace,
        days_ago=1,
        impressions=100,
        topic='<script>alert("topic")</script>',
        hook="<b>Bold</b> & <i>new</i>",
    )
    html = _body(alice_client.get("/w/alice-co/?days=7"))
    assert "<script>" not in html
    assert "<b>Bold</b>" not in html
    assert '<th scope="row">&lt;script&gt;alert(&quot;topic&quot;)&lt;/script&gt;</th>' in html
    # The results by hook, and the top posts' link to the post
    assert '<th scope="row">&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;new&lt;/i&gt;</th>' in html
    assert '">&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;new&lt;/i&gt;</a>' in html


def test_results_by_template_show_the_templates_name_not_its_key(alice_client, alice_workspace):
    from apps.content.models import PostTemplate

    template = PostTemplate.objects.filter(workspace=None, is_active=True).first()
    make_post(alice_workspace, days_ago=1, impressions=10, template_key=template.key)
    html = _body(alice_client.get("/w/alice-co/?days=7"))
    assert f'<th scope="row">{template.name}</th>' in html
    assert template.key not in html


def test_results_by_template_are_named_by_the_workspaces_own_templates_not_another_workspaces(
    alice_client, alice_workspace, charlie_workspace
):
    from apps.content.models import PostTemplate

    def template(workspace, key, name):
        PostTemplate.objects.create(
            workspace=workspace, key=key, name=name, framework="story", hooks=["x"], body=["y"]
        )

    template(alice_workspace, "own-launch", "Our launch story")
    template(charlie_workspace, "own-launch", "Charlie's launch story")
    template(charlie_workspace, "charlies-only", "Charlie's secret template")
    make_post(alice_workspace, days_ago=1, impressions=10, template_key="own-launch")
    make_post(alice_workspace, days_ago=2, impressions=10, template_key="charlies-only")

    html = _body(alice_client.get("/w/alice-co/?days=7"))

    assert '<th scope="row">Our launch story</th>' in html
    assert '<th scope="row">charlies-only</th>' in html
    assert "Charlie" not in html


def test_a_period_has_the_same_figures_as_the_previous_period_as_it_had_as_the_current_one(
    alice_workspace,
):
    """The previous period's totals are summed by the database, the current period's from its
    rows: both count posts without impressions as unknown, and imported figures (impressions
    but no engagement the app read) only in impressions, not in the rate."""
    w = alice_workspace
    make_post(w, days_ago=40, impressions=2000, reactions=40, comments=10, reshares=None)
    make_post(w, days_ago=45, impressions=None, reactions=7, comments=3)
    # As analytics.importing leaves it: the snapshot, and the post's figures marked imported.
    imported = make_post(
        w, days_ago=50, impressions=9000, reactions=0, comments=0, figures_imported=True
    )
    MetricSnapshot.objects.create(
        workspace=w,
        post=imported,
        captured_at=imported.metrics_at,
        impressions=9000,
        source=MetricSnapshot.Source.IMPORT,
    )
    make_post(w, days_ago=52, impressions=1000, reactions=20, comments=5, reshares=5)
    now = timezone.now()

    then = selectors.dashboard(workspace=w, days=30, now=now - timedelta(days=30))
    later = selectors.dashboard(workspace=w, days=30, now=now)

    assert then.figures["published"] == later.previous["published"] == 4
    assert then.figures["impressions"] == later.previous["impressions"] == 12000
    assert then.figures["engagement_rate"] == later.previous["engagement_rate"] == 80 * 100 / 3000


def test_a_previous_period_without_impressions_has_them_unknown_not_zero(alice_workspace):
    make_post(alice_workspace, days_ago=40, impressions=None, reactions=7)

    data = selectors.dashboard(workspace=alice_workspace, days=30)

    assert data.previous["published"] == 1
    assert data.previous["impressions"] is None
    assert data.previous["engagement_rate"] is None
    assert data.has_published


def test_lead_totals_of_given_posts_never_count_another_workspaces_post(
    alice_workspace, charlie_workspace
):
    ours = make_post(alice_workspace, days_ago=2, impressions=100)
    theirs = make_post(charlie_workspace, days_ago=2, impressions=100)
    make_lead(alice_workspace, ours, n=1, value=Decimal(40))
    make_lead(alice_workspace, ours, n=2, status=Lead.Status.CONVERTED, value=Decimal(60))
    make_lead(charlie_workspace, theirs, n=3, value=Decimal(500))

    both = Post.objects.filter(pk__in=[ours.pk, theirs.pk])
    totals = selectors.leads_per_post(workspace=alice_workspace, posts=both)

    assert totals == {ours.pk: {"leads": 2, "converted_value": Decimal(60)}}
