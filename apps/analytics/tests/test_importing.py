"""Importing LinkedIn's own analytics export (XLSX) where the API may not read analytics."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from apps.analytics import importing
from apps.analytics.models import MetricSnapshot
from apps.content.models import Post


def linkedin_export(top_posts: list[tuple[str, str, int, int]]) -> bytes:
    """A workbook laid out like LinkedIn's content analytics export: DISCOVERY, ENGAGEMENT,
    TOP POSTS (a note, a blank row, two tables side by side: by engagements and by
    impressions), FOLLOWERS. `top_posts`: (url, publish date m/d/Y, engagements, impressions)."""
    book = Workbook()
    discovery = book.active
    discovery.title = "DISCOVERY"
    discovery.append(["Overall Performance", "11/4/2026 - 12/3/2026"])
    discovery.append(["Impressions", sum(p[3] for p in top_posts)])
    discovery.append(["Members reached", 4120])
    engagement = book.create_sheet("ENGAGEMENT")
    engagement.append(["Date", "Impressions", "Engagements"])
    engagement.append(["11/4/2026", 310, 12])
    top = book.create_sheet("TOP POSTS")
    top.append(["Maximum of 50 posts available to include in this list"])
    top.append([])
    top.append(
        [
            "Post URL",
            "Post publish date",
            "Engagements",
            None,
            "Post URL",
            "Post publish date",
            "Impressions",
        ]
    )
    by_engagement = sorted(top_posts, key=lambda p: -p[2])
    by_impressions = sorted(top_posts, key=lambda p: -p[3])
    for left, right in zip(by_engagement, by_impressions, strict=True):
        top.append([left[0], left[1], left[2], None, right[0], right[1], right[3]])
    book.create_sheet("FOLLOWERS").append(["Total followers on 12/3/2026:", 812])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def posts(alice, alice_workspace):
    def post(urn, when, hook):
        return Post.objects.create(
            workspace=alice_workspace,
            author=alice,
            text=hook,
            hook=hook,
            status=Post.Status.PUBLISHED,
            linkedin_urn=urn,
            published_at=when,
            reactions=7,
            comment_count=2,
        )

    return {
        "by_urn": post(
            "urn:li:share:7300000000000000001", datetime(2026, 11, 10, 9, tzinfo=UTC), "A"
        ),
        "by_day": post(
            "urn:li:share:7300000000000000002", datetime(2026, 11, 12, 9, tzinfo=UTC), "B"
        ),
        "twin_1": post(
            "urn:li:share:7300000000000000003", datetime(2026, 11, 20, 8, tzinfo=UTC), "C"
        ),
        "twin_2": post(
            "urn:li:share:7300000000000000004", datetime(2026, 11, 20, 15, tzinfo=UTC), "D"
        ),
    }


FILE = [
    (
        "https://www.linkedin.com/feed/update/urn:li:share:7300000000000000001/",
        "11/10/2026",
        48,
        2310,
    ),
    (
        "https://www.linkedin.com/feed/update/urn:li:activity:7399999999999999999/",
        "11/12/2026",
        20,
        1200,
    ),
    (
        "https://www.linkedin.com/feed/update/urn:li:activity:7399999999999999998/",
        "11/20/2026",
        9,
        640,
    ),
    (
        "https://www.linkedin.com/feed/update/urn:li:activity:7399999999999999997/",
        "11/25/2026",
        3,
        150,
    ),
]


def test_the_export_is_read_from_both_tables_of_top_posts():
    rows = {row.url: row for row in importing.read_export(linkedin_export(FILE))}
    first = rows[FILE[0][0]]
    assert (first.impressions, first.engagements) == (2310, 48)
    assert first.published_on.isoformat() == "2026-11-10"
    assert len(rows) == 4


def test_rows_match_by_urn_then_by_the_only_post_of_that_day(alice_workspace, posts):
    rows = importing.match_rows(
        workspace=alice_workspace, rows=importing.read_export(linkedin_export(FILE))
    )
    matched = {row.url: row for row in rows}
    assert matched[FILE[0][0]].post == posts["by_urn"]
    assert matched[FILE[1][0]].post == posts["by_day"]
    assert matched[FILE[2][0]].post is None
    assert "Several posts" in matched[FILE[2][0]].problem
    assert matched[FILE[3][0]].post is None
    assert "No post published" in matched[FILE[3][0]].problem


def test_imported_figures_become_snapshots_marked_imported(alice_workspace, posts):
    rows = importing.match_rows(
        workspace=alice_workspace, rows=importing.read_export(linkedin_export(FILE))
    )
    stored = importing.import_figures(workspace=alice_workspace, rows=rows)
    assert len(stored) == 2
    snapshot = MetricSnapshot.objects.get(post=posts["by_urn"])
    assert snapshot.source == MetricSnapshot.Source.IMPORT
    assert snapshot.impressions == 2310
    # The export does not split engagements: what the app knew stays, nothing is invented.
    assert (snapshot.reactions, snapshot.comments) == (7, 2)
    posts["by_urn"].refresh_from_db()
    assert posts["by_urn"].impressions == 2310
    assert posts["by_urn"].figures_imported
    posts["twin_1"].refresh_from_db()
    assert posts["twin_1"].impressions is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Post URL,Impressions\nhttps://x,1\n", "not an Excel workbook"),
        (b"", "not an Excel workbook"),
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(content, message):
    with pytest.raises(importing.AnalyticsImportError, match=message):
        importing.read_export(content)


def test_a_workbook_without_a_table_of_posts_gets_a_clear_message():
    book = Workbook()
    book.active.append(["Name", "Value"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(importing.AnalyticsImportError, match="TOP POSTS"):
        importing.read_export(buffer.getvalue())


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "Content_2026-11-04_2026-12-03_AliceArcher.xlsx",
        data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_uploading_the_export_imports_and_the_dashboard_marks_the_figures(
    alice_client, alice_workspace, posts, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0
    url = reverse("analytics_import", args=[alice_workspace.slug])
    response = alice_client.post(url, {"file": upload(linkedin_export(FILE))})
    assert response.status_code == 200
    assert response.content.decode().count("data-import-row") == 4
    assert MetricSnapshot.objects.filter(source=MetricSnapshot.Source.IMPORT).count() == 2
    dashboard = alice_client.get(
        reverse("dashboard", args=[alice_workspace.slug]) + "?days=365"
    ).content.decode()
    assert 'data-imported-figures="2"' in dashboard
    assert "data-imported" in dashboard
    # The export's impressions come without reactions or comments: no 0% engagement rate.
    assert 'data-figure="engagement_rate">—<' in dashboard


def test_a_bad_upload_is_refused_with_its_message_and_stores_nothing(
    alice_client, alice_workspace, posts
):
    url = reverse("analytics_import", args=[alice_workspace.slug])
    response = alice_client.post(url, {"file": upload(b"not a workbook")})
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert MetricSnapshot.objects.count() == 0


def test_charlie_cannot_import_into_alices_workspace(charlie_client, alice_workspace, posts):
    url = reverse("analytics_import", args=[alice_workspace.slug])
    response = charlie_client.post(url, {"file": upload(linkedin_export(FILE))})
    assert response.status_code == 404
    assert MetricSnapshot.objects.count() == 0


def test_the_migration_marks_the_posts_whose_latest_figures_were_imported(alice_workspace):
    """Before the mark was kept, the dashboard looked for an imported snapshot at the post's
    latest reading: the migration marks exactly those posts."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps as django_apps
    from django.db import connection

    now = timezone.now()
    latest_imported, imported_then_read, never_imported = (
        Post.objects.create(
            workspace=alice_workspace,
            status=Post.Status.PUBLISHED,
            text=name,
            published_at=now - timedelta(days=3),
            impressions=100,
            metrics_at=now - timedelta(hours=1),
        )
        for name in ("latest imported", "imported, then read by the app", "never imported")
    )
    for post, captured_at, source in (
        (latest_imported, latest_imported.metrics_at, MetricSnapshot.Source.IMPORT),
        (imported_then_read, now - timedelta(days=1), MetricSnapshot.Source.IMPORT),
        (imported_then_read, imported_then_read.metrics_at, "analytics"),
        (never_imported, never_imported.metrics_at, "analytics"),
    ):
        MetricSnapshot.objects.create(
            workspace=alice_workspace, post=post, captured_at=captured_at, source=source
        )

    migration = import_module(
        "apps.content.migrations.0011_dashboard_period_posts_cover_index_and_figures_imported"
    )
    migration.mark_imported_figures(django_apps, SimpleNamespace(connection=connection))

    marked = set(Post.objects.filter(figures_imported=True).values_list("text", flat=True))
    assert marked == {"latest imported"}
