"""Drafting jobs: writing drafts with nothing held while the model answers.

Asking the model takes up to LLM_TIMEOUT_SECONDS a call, and a week of drafts is up to 14
calls; no web request and no database transaction may wait for that. A member's request
records a `DraftingJob` and a worker runs it (`tasks.write_drafts`): it reads what the drafts
are written from in one short transaction, asks the model with none open, and stores each
draft in a short transaction of its own as soon as it is written, so the page's progress
panel shows the drafts one by one. With only the template engine (no LLM_API_BASE) the
request runs the job itself: the engine is fast and calls nothing outside.

Safe to run twice: a run claims the job with a conditional update (a queued job, or a
running one whose worker has gone quiet for LEASE), each draft is stored under the job and
its place in it (unique together), and a rerun keeps the drafts already stored and writes
only the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.services import audit_record
from apps.accounts.tenancy import owned, owned_for_task, workspace_atomic
from apps.analytics.selectors import template_performance
from apps.content import selectors
from apps.content.generation import (
    GeneratedPost,
    GenerationRequest,
    default_backend,
    generate_post,
    plan_week,
)
from apps.content.linter import EarlierPosts, PostFacts, rules_for_prompt
from apps.content.models import DraftingJob, Framework, Post, PostTemplate
from apps.content.services import (
    ContentError,
    _next_seed,
    _store_generated,
    profile_snapshot,
    template_specs,
)

logger = logging.getLogger(__name__)

# A running job untouched this long has lost its worker (each draft touches it; one model
# call takes at most LLM_TIMEOUT_SECONDS, 30 s by default); a redelivered task takes it over.
LEASE = timedelta(minutes=3)
# A queued job no worker has taken after this long: the page says the worker may be down.
WORKER_EXPECTED_WITHIN = timedelta(seconds=30)


def model_writes() -> bool:
    """True when drafts are written by the model (a worker's job), not by the engine."""
    return default_backend() == "llm"


def drafting_job_start(
    *,
    workspace,
    author,
    kind: str,
    count: int = 1,
    topic: str = "",
    framework: str = "",
    similar_to: Post | None = None,
) -> DraftingJob:
    """Record a request for drafts. The caller runs it (engine only) or enqueues it after
    commit (`enqueue_on_commit`)."""
    if kind == DraftingJob.Kind.WEEK and not 1 <= count <= 14:
        raise ContentError(_("Plan between 1 and 14 posts at a time."))
    if framework and framework not in Framework.values:
        raise ContentError(_("Unknown framework."))
    if kind != DraftingJob.Kind.WEEK:
        count = 1
    specs, _by_key = template_specs(workspace=workspace)
    if not specs:
        raise ContentError(
            _(
                "No drafts could be written: the template library is empty. An administrator "
                "loads it with “manage.py load_post_templates”."
            )
        )
    return DraftingJob.objects.create(
        workspace=workspace,
        author=author,
        kind=kind,
        count=count,
        topic=(topic or "").strip()[:200],
        framework=framework or "",
        similar_to=similar_to,
        seed=_next_seed(workspace),
    )


def _gone_quiet(now) -> Q:
    return Q(state=DraftingJob.State.RUNNING, heartbeat_at__lt=now - LEASE)


def drafting_job_resume(*, job: DraftingJob) -> bool:
    """Queue a stopped job again (or one whose worker went quiet), to write the drafts it did
    not get to; those it wrote are kept. False when there is nothing to resume (a second
    click, or it finished meanwhile)."""
    resumed = (
        owned(DraftingJob, workspace=job.workspace)
        .filter(pk=job.pk)
        .filter(Q(state=DraftingJob.State.FAILED) | _gone_quiet(timezone.now()))
        .update(state=DraftingJob.State.QUEUED, error="", finished_at=None)
    )
    if resumed:
        job.refresh_from_db()
    return resumed == 1


def enqueue_on_commit(job: DraftingJob) -> None:
    from apps.content import tasks  # tasks.py imports this module

    transaction.on_commit(lambda: tasks.write_drafts.delay(job.pk, job.workspace_id))


@dataclass
class _Inputs:
    job: DraftingJob
    written: list[GeneratedPost]
    profile: object
    specs: list
    by_key: dict[str, PostTemplate]
    recent_keys: tuple[str, ...]
    recent_hooks: tuple[str, ...]
    performance: dict[str, float]
    earlier_texts: tuple[str, ...]
    earlier: EarlierPosts
    facts: PostFacts


def _claim(*, job_id: int, workspace_id: int) -> bool:
    now = timezone.now()
    with workspace_atomic(workspace_id):
        claimed = (
            owned(DraftingJob, workspace=workspace_id)
            .filter(pk=job_id)
            .filter(Q(state=DraftingJob.State.QUEUED) | _gone_quiet(now))
            .update(state=DraftingJob.State.RUNNING, heartbeat_at=now)
        )
    return claimed == 1


def _read_inputs(*, job_id: int, workspace_id: int) -> _Inputs:
    with workspace_atomic(workspace_id):
        job = owned_for_task(DraftingJob, workspace_id=workspace_id, pk=job_id)
        # Loaded here, inside the transaction: the writing below runs with none open.
        workspace, _author, _similar = job.workspace, job.author, job.similar_to
        written = [
            GeneratedPost(
                text=post.text,
                hook=post.hook,
                template_key=post.template_key,
                framework=post.framework,
                topic=post.topic,
                backend=post.backend,
                fallback_reason=post.generation_note,
            )
            for post in owned(Post, workspace=workspace)
            .filter(drafting_job=job)
            .order_by("drafting_index")
        ]
        specs, by_key = template_specs(workspace=workspace)
        recent_keys, recent_hooks = selectors.recent_generation_history(workspace=workspace)
        return _Inputs(
            job=job,
            written=written,
            profile=profile_snapshot(workspace=workspace, user=job.author),
            specs=specs,
            by_key=by_key,
            recent_keys=recent_keys,
            recent_hooks=recent_hooks,
            performance=template_performance(workspace=workspace),
            earlier_texts=tuple(selectors.earlier_post_texts(workspace=workspace)[:200]),
            earlier=selectors.earlier_posts_index(workspace=workspace),
            facts=selectors.lint_facts(workspace=workspace),
        )


def _store(inputs: _Inputs, index: int, generated: GeneratedPost) -> None:
    job = inputs.job
    try:
        with workspace_atomic(job.workspace_id):
            _store_once(inputs, index, generated)
    except IntegrityError:
        # Another run of the job (its worker only seemed gone) stored this place first; the
        # unique (job, place) keeps one.
        logger.info("drafting job %s: draft %s was stored by another run", job.pk, index)


def _store_once(inputs: _Inputs, index: int, generated: GeneratedPost) -> None:
    job = inputs.job
    already = owned(Post, workspace=job.workspace).filter(drafting_job=job, drafting_index=index)
    if not already.exists():
        post = _store_generated(
            workspace=job.workspace,
            author=job.author,
            generated=generated,
            templates=inputs.by_key,
            earlier=inputs.earlier,
            facts=inputs.facts,
            drafting_job=job,
            drafting_index=index,
        )
        if job.kind != DraftingJob.Kind.WEEK:  # a week is recorded once, when it is done
            audit_record(
                action="post.generated",
                actor=job.author,
                workspace=job.workspace,
                target=post.hook[:200],
                backend=post.backend,
                template=post.template_key,
            )
    owned(DraftingJob, workspace=job.workspace).filter(pk=job.pk).update(
        heartbeat_at=timezone.now()
    )


def _finish(job: DraftingJob, *, error: DraftingJob.Stop | str = "") -> None:
    with workspace_atomic(job.workspace_id):
        owned(DraftingJob, workspace=job.workspace).filter(pk=job.pk).update(
            state=DraftingJob.State.FAILED if error else DraftingJob.State.DONE,
            error=error,
            finished_at=timezone.now(),
        )
        if job.kind == DraftingJob.Kind.WEEK:
            audit_record(
                action="post.week_planned",
                actor=job.author,
                workspace=job.workspace,
                count=owned(Post, workspace=job.workspace).filter(drafting_job=job).count(),
                stopped=str(error),
            )


def drafting_job_run(*, job_id: int, workspace_id: int) -> str:
    """Write the job's drafts that are not written yet. Returns what happened, for the log.

    Nothing is held while a draft is written: each is stored in a transaction of its own
    between model calls. A failure stops the job with a message and keeps what was written.
    """
    if not _claim(job_id=job_id, workspace_id=workspace_id):
        return "not claimed"
    inputs = _read_inputs(job_id=job_id, workspace_id=workspace_id)
    job = inputs.job
    try:
        _write(inputs)
    except SoftTimeLimitExceeded:
        _finish(job, error=DraftingJob.Stop.TIME_LIMIT)
        return "timed out"
    except Exception:
        logger.exception("drafting job %s failed", job.pk)
        _finish(job, error=DraftingJob.Stop.CRASHED)
        return "failed"
    _finish(job)
    return "done"


def _write(inputs: _Inputs) -> None:
    job = inputs.job
    lint_rules = rules_for_prompt()
    if job.kind == DraftingJob.Kind.WEEK:
        plan_week(
            inputs.profile,
            count=job.count,
            seed=job.seed,
            recent_template_keys=inputs.recent_keys,
            recent_hooks=inputs.recent_hooks,
            templates=inputs.specs,
            lint_rules=lint_rules,
            performance=inputs.performance,
            written=inputs.written,
            on_draft=lambda index, draft: _store(inputs, index, draft),
        )
        return
    if inputs.written:
        return
    similar_to = job.similar_to
    request = GenerationRequest(
        profile=inputs.profile,
        topic=job.topic or (similar_to.topic if similar_to else None),
        framework=job.framework or (similar_to.framework if similar_to else None) or None,
        seed=job.seed,
        recent_template_keys=inputs.recent_keys,
        recent_hooks=inputs.recent_hooks,
        similar_to=similar_to.text if similar_to else None,
    )
    generated = generate_post(
        request,
        templates=inputs.specs,
        lint_rules=lint_rules,
        performance=inputs.performance,
        earlier_texts=inputs.earlier_texts,
    )
    _store(inputs, 0, generated)
