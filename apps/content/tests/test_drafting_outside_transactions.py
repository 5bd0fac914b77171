"""Drafting with the model is a worker's job (apps/content/drafting.py): the request records
a DraftingJob and enqueues it after commit; the worker asks the model with no transaction
open (the guard in the root conftest fails any test that calls it inside one) and stores each
draft in a short transaction of its own; the page's panel shows the drafts as they arrive."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from apps.content import drafting, generation, tasks
from apps.content.models import DraftingJob, Post
from apps.content.tests.test_llm import fake_llm  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# Alice's workspace has no proof vault: an answer stating a figure would be refused as
# invented and the template engine would write the draft instead.
NO_FIGURES = (
    "Platform teams fail when nobody owns the paved road.\n\n"
    "No new tools. A few decisions, written down, each with an owner.\n\n"
    "The first one is the hardest: stop buying capacity before measuring it.\n\n"
    "What would your first decision be?"
)


def url(workspace, rest=""):
    return f"/w/{workspace.slug}/content/{rest}"


@pytest.fixture
def worker(monkeypatch):
    """A worker that takes each enqueued drafting job at once; returns what each run said."""
    outcomes = []

    def take(job_id, workspace_id):
        outcomes.append(tasks.write_drafts(job_id, workspace_id))

    monkeypatch.setattr(tasks.write_drafts, "delay", take)
    return outcomes


def test_generating_a_draft_asks_the_model_in_a_worker_outside_a_transaction(
    alice_client,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
    worker,
    django_capture_on_commit_callbacks,
):
    fake_llm.content = NO_FIGURES
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url(alice_workspace, "generate/"), {"topic": "platform"})
    job = DraftingJob.objects.get()
    assert response.url == url(alice_workspace, f"drafting/{job.pk}/")
    assert worker == ["done"]
    post = Post.objects.get()
    assert post.backend == Post.Backend.LLM
    assert (post.drafting_job, post.drafting_index) == (job, 0)
    assert len(fake_llm.requests) == 1
    # The panel of a one-draft job that is done opens the draft in the editor.
    panel = alice_client.get(response.url, headers={"HX-Request": "true"})
    assert panel["HX-Redirect"] == url(alice_workspace, f"{post.pk}/")


def test_the_model_is_not_asked_while_the_request_is_answered(
    alice_client,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    # No worker has run (nothing executes the on-commit enqueue here): the job waits.
    response = alice_client.post(url(alice_workspace, "plan-week/"), {"count": 3})
    job = DraftingJob.objects.get()
    assert job.state == DraftingJob.State.QUEUED
    assert job.count == 3
    assert fake_llm.requests == []
    assert not Post.objects.exists()
    page = alice_client.get(response.url)
    assert "Waiting for a worker to start writing" in page.content.decode()
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_planning_a_week_stores_each_draft_as_it_is_written(
    alice_client,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
    worker,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    fake_llm.content = NO_FIGURES
    stored_before_each_call = []
    ask = generation.generate_post

    def counting(*args, **kwargs):
        stored_before_each_call.append(Post.objects.count())
        return ask(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_post", counting)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(url(alice_workspace, "plan-week/"), {"count": 3})
    # Draft n was stored before draft n+1 was asked for: the panel sees them one by one.
    assert stored_before_each_call == [0, 1, 2]
    assert len(fake_llm.requests) >= 3  # one call per draft at least, none in a transaction
    job = DraftingJob.objects.get()
    assert job.state == DraftingJob.State.DONE
    assert Post.objects.filter(drafting_job=job).count() == 3
    panel = alice_client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "3 drafts are ready for you to read and edit." in panel
    assert "hx-trigger" not in panel  # finished: the panel stops asking
    for post in Post.objects.all():
        assert url(alice_workspace, f"{post.pk}/") in panel


def test_a_job_run_twice_writes_each_draft_once(alice, alice_workspace, library):
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == "done"
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == (
        "not claimed"
    )
    assert Post.objects.filter(drafting_job=job).count() == 3


def test_a_redelivered_job_whose_worker_died_writes_only_what_is_missing(
    alice,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    fake_llm.content = NO_FIGURES
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)
    first_two = list(Post.objects.filter(drafting_index__lt=2).order_by("drafting_index"))
    # As if the worker had been killed while writing the third draft.
    Post.objects.filter(drafting_index=2).delete()
    DraftingJob.objects.filter(pk=job.pk).update(
        state=DraftingJob.State.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    asked_before = len(fake_llm.requests)
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == "done"
    assert list(Post.objects.filter(drafting_index__lt=2).order_by("drafting_index")) == first_two
    assert Post.objects.filter(drafting_job=job).count() == 3
    assert len(fake_llm.requests) - asked_before == 1  # the model wrote only the missing one


def test_a_second_delivery_leaves_a_job_alone_while_its_worker_is_writing(
    alice, alice_workspace, library
):
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.ONE
    )
    DraftingJob.objects.filter(pk=job.pk).update(
        state=DraftingJob.State.RUNNING, heartbeat_at=timezone.now()
    )
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == (
        "not claimed"
    )
    assert not Post.objects.exists()


def test_a_job_stopped_by_the_time_limit_keeps_its_drafts_and_says_so(
    alice_client,
    alice,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
    monkeypatch,
):
    fake_llm.content = NO_FIGURES
    ask = generation.generate_post
    calls = []

    def out_of_time_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SoftTimeLimitExceeded
        return ask(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_post", out_of_time_on_the_third)
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=4
    )
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == (
        "timed out"
    )
    job.refresh_from_db()
    assert job.state == DraftingJob.State.FAILED
    assert Post.objects.filter(drafting_job=job).count() == 2
    page = alice_client.get(url(alice_workspace, f"drafting/{job.pk}/")).content.decode()
    assert "Stopped: 2 of 4 written." in page
    assert "Writing took too long and was stopped. The drafts above are kept." in page


def test_a_model_that_times_out_is_named_next_to_the_draft_the_engine_wrote(
    alice_client,
    alice,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
    settings,
):
    fake_llm.behaviour = "slow"
    fake_llm.delay_seconds = 1.0
    settings.LLM_TIMEOUT_SECONDS = 0.2
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=1
    )
    drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)
    post = Post.objects.get(drafting_job=job)
    assert post.backend == Post.Backend.TEMPLATE
    assert post.generation_note
    page = alice_client.get(url(alice_workspace, f"drafting/{job.pk}/")).content.decode()
    assert "1 draft is ready for you to read and edit." in page
    assert post.generation_note in page


def test_the_template_engine_writes_in_the_request_and_opens_the_draft(
    alice_client, alice_workspace, library
):
    response = alice_client.post(url(alice_workspace, "generate/"), {"topic": "platform"})
    post = Post.objects.get()
    assert response.url == url(alice_workspace, f"{post.pk}/")
    assert post.drafting_job.state == DraftingJob.State.DONE


def test_the_panel_answers_in_a_fixed_number_of_queries(
    alice_client, alice, alice_workspace, library, django_assert_num_queries
):
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=5
    )
    drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)
    # user (the session comes from the cache), savepoint (workspace_view), memberships with their
    # workspaces, the job, the drafts, release.
    with django_assert_num_queries(6):
        response = alice_client.get(
            url(alice_workspace, f"drafting/{job.pk}/"), headers={"HX-Request": "true"}
        )
    assert response.content.decode().count("<li>") == 5


def test_another_workspace_cannot_see_a_drafting_job(
    charlie_client, alice, alice_workspace, library
):
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.ONE
    )
    assert charlie_client.get(url(alice_workspace, f"drafting/{job.pk}/")).status_code == 404


def test_the_guard_fails_a_model_call_made_inside_a_transaction(
    alice,
    alice_workspace,
    library,
    fake_llm,  # noqa: F811
):
    from django.db import transaction

    @transaction.atomic
    def draft_inside_a_transaction():
        job = drafting.drafting_job_start(
            workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.ONE
        )
        drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)

    with pytest.raises(pytest.fail.Exception, match="inside an open database transaction"):
        draft_inside_a_transaction()


def test_under_row_level_security_each_block_of_a_drafting_run_names_its_workspace(
    alice, alice_workspace, library, settings, monkeypatch, table_owner
):
    """As the app's role, bound by PostgreSQL's policies: the worker's run reads and writes
    only inside its short transactions, each naming the workspace again. Here the name is
    wiped after each block (as the end of a real transaction would), so a query made between
    blocks would see no row at all."""
    from django.db import connection

    from apps.accounts.tenancy import database_workspace_set
    from apps.core import rls
    from conftest import service_required

    if connection.vendor != "postgresql":
        service_required("PostgreSQL", "row-level security needs it (set DATABASE_URL)")
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    block = drafting.workspace_atomic

    @contextmanager
    def forgetting_afterwards(*args, **kwargs):
        with block(*args, **kwargs):
            yield
        database_workspace_set(None)

    monkeypatch.setattr(drafting, "workspace_atomic", forgetting_afterwards)
    settings.DATABASE_ROW_LEVEL_SECURITY = True
    role = rls.ensure_app_role()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(role)}")
    try:
        database_workspace_set(None)
        outcome = drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert outcome == "done"
    assert Post.objects.filter(drafting_job=job).count() == 3


def test_the_panel_says_when_no_worker_took_the_job_or_its_worker_went_quiet(
    alice_client, alice, alice_workspace, library
):
    long_ago = timezone.now() - timedelta(minutes=10)
    waiting = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    quiet = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    fresh = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=3
    )
    DraftingJob.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    DraftingJob.objects.filter(pk=quiet.pk).update(
        state=DraftingJob.State.RUNNING, heartbeat_at=long_ago
    )

    def panel(job):
        return alice_client.get(url(alice_workspace, f"drafting/{job.pk}/")).content.decode()

    assert "No worker has taken this yet" in panel(waiting)
    assert "has gone quiet" in panel(quiet)
    assert "Write the rest" in panel(quiet)
    assert "No worker has taken this yet" not in panel(fresh)
    assert "has gone quiet" not in panel(fresh)


def test_a_stopped_week_can_write_the_rest_once(
    alice_client, alice, alice_workspace, library, monkeypatch
):
    ask = generation.generate_post
    calls = []

    def crash_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("the model went away")
        return ask(*args, **kwargs)

    monkeypatch.setattr(generation, "generate_post", crash_on_the_third)
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=4
    )
    assert drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk) == "failed"
    kept = list(Post.objects.filter(drafting_job=job).order_by("drafting_index"))
    page = alice_client.get(url(alice_workspace, f"drafting/{job.pk}/")).content.decode()
    assert "Something went wrong while writing. The drafts above are kept" in page
    assert "Write the rest" in page

    response = alice_client.post(url(alice_workspace, f"drafting/{job.pk}/resume/"))
    assert response.url == url(alice_workspace, f"drafting/{job.pk}/")
    job.refresh_from_db()
    assert job.state == DraftingJob.State.DONE
    assert job.error == ""
    written = list(Post.objects.filter(drafting_job=job).order_by("drafting_index"))
    assert len(written) == 4
    assert written[:2] == kept
    # A second click finds nothing stopped and writes nothing.
    alice_client.post(url(alice_workspace, f"drafting/{job.pk}/resume/"))
    assert Post.objects.filter(drafting_job=job).count() == 4


def test_a_draft_another_run_stored_first_is_kept_once(
    alice, alice_workspace, library, monkeypatch
):
    job = drafting.drafting_job_start(
        workspace=alice_workspace, author=alice, kind=DraftingJob.Kind.WEEK, count=2
    )
    drafting.drafting_job_run(job_id=job.pk, workspace_id=alice_workspace.pk)
    first = Post.objects.get(drafting_job=job, drafting_index=0)
    inputs = drafting._read_inputs(job_id=job.pk, workspace_id=alice_workspace.pk)
    scoped = drafting.owned

    def not_seeing_posts_yet(model, *, workspace):
        # A slower run that looked for place 0 before the first run stored it.
        return model.objects.none() if model is Post else scoped(model, workspace=workspace)

    monkeypatch.setattr(drafting, "owned", not_seeing_posts_yet)
    drafting._store(inputs, 0, inputs.written[0])
    assert list(Post.objects.filter(drafting_job=job, drafting_index=0)) == [first]
