"""Writes for content: generate, edit, review, approve, archive, import.

Status moves: draft → in review → approved, or back to draft with a reviewer's comment.
Editing an approved or in-review post returns it to draft: an approval is for a text, not
for whatever the text becomes later. Scheduling and publishing take it from approved."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Role
from apps.accounts.services import audit_record
from apps.accounts.tenancy import across_workspaces, database_workspace_set, owned
from apps.analytics.selectors import template_performance
from apps.content import selectors, voice
from apps.content.facts import find_gaps, gap_message
from apps.content.generation import (
    GeneratedPost,
    GenerationRequest,
    ProfileSnapshot,
    TemplateSpec,
    generate_post,
)
from apps.content.linter import EarlierPosts, PostFacts, lint_post, rules_for_prompt
from apps.content.models import ApprovalLink, Framework, Post, PostTemplate, PostVersion

APPROVAL_SALT = "content.approval-link"
MAX_POST_CHARS = 10_000  # far above LinkedIn's limit; the linter explains the real one
MAX_IMPORT_ROWS = 200


class ContentError(Exception):
    """A request that breaks a content rule; the message is for the user."""


class NotAllowed(ContentError):
    """The member's role does not allow this (a 403 with this message)."""


# --- Generation ----------------------------------------------------------------------------


def profile_snapshot(*, workspace, user) -> ProfileSnapshot:
    profile = selectors.profile_for(workspace=workspace, user=user)
    # Their past posts: figures in them are theirs to repeat, and drafts follow their style.
    past = tuple(voice.past_post_texts(workspace=workspace, user=user))
    return ProfileSnapshot(
        name=user.full_name or user.email.split("@")[0],
        headline=profile.headline,
        areas=list(profile.areas or []),
        years_experience=profile.years_experience,
        industries=list(profile.industries or []),
        offers=list(profile.offers or []),
        case_studies=list(profile.case_studies or []),
        tone=profile.tone,
        language=profile.language,
        past_posts=past,
        style=voice.style_from_texts(past),
    )


def template_specs(*, workspace) -> tuple[list[TemplateSpec], dict[str, PostTemplate]]:
    rows = list(selectors.templates_for(workspace=workspace))
    by_key = {}
    specs = []
    for row in rows:
        # A workspace's own template wins over a library one with the same key.
        if row.key in by_key and row.workspace_id is None:
            continue
        by_key[row.key] = row
    for row in by_key.values():
        specs.append(template_to_spec(row))
    return specs, by_key


def template_to_spec(row: PostTemplate) -> TemplateSpec:
    return TemplateSpec(
        key=row.key,
        name=row.name,
        framework=row.framework,
        goal=row.goal,
        suits=list(row.suits),
        hooks=list(row.hooks),
        body=list(row.body),
        ctas=list(row.ctas),
        translations=dict(row.translations or {}),
    )


def _next_seed(workspace) -> int:
    # Deterministic per workspace and draft number, so a draft can be reproduced.
    return workspace.pk * 100_003 + owned(Post, workspace=workspace).count()


def _store_generated(
    *,
    workspace,
    author,
    generated: GeneratedPost,
    templates: dict[str, PostTemplate],
    earlier: EarlierPosts,
    facts: PostFacts,
    drafting_job=None,
    drafting_index: int | None = None,
) -> Post:
    # The same checks for the template engine and the model: figures, drift, repeats, gaps.
    lint = lint_post(generated.text, earlier_posts=earlier, facts=facts.with_topic(generated.topic))
    post = Post.objects.create(
        workspace=workspace,
        author=author,
        text=generated.text,
        topic=generated.topic[:200],
        framework=generated.framework,
        template=templates.get(generated.template_key),
        template_key=generated.template_key,
        hook=generated.hook[:400],
        backend=generated.backend,
        generation_note=generated.fallback_reason[:300],
        lint_score=lint.score,
        drafting_job=drafting_job,
        drafting_index=drafting_index,
    )
    PostVersion.objects.create(
        workspace=workspace, post=post, text=post.text, created_by=author, note="generated"
    )
    return post


def post_generate(
    *,
    workspace,
    author,
    topic: str | None = None,
    framework: str | None = None,
    similar_to: Post | None = None,
) -> Post:
    if framework and framework not in Framework.values:
        raise ContentError(_("Unknown framework."))
    specs, by_key = template_specs(workspace=workspace)
    if not specs:
        raise ContentError(_("The template library is empty. Ask staff to load it."))
    recent_keys, recent_hooks = selectors.recent_generation_history(workspace=workspace)
    request = GenerationRequest(
        profile=profile_snapshot(workspace=workspace, user=author),
        topic=(topic or "").strip() or (similar_to.topic if similar_to else None),
        framework=framework or (similar_to.framework if similar_to else None) or None,
        seed=_next_seed(workspace),
        recent_template_keys=recent_keys,
        recent_hooks=recent_hooks,
        similar_to=similar_to.text if similar_to else None,
    )
    generated = generate_post(
        request,
        templates=specs,
        lint_rules=rules_for_prompt(),
        # What brought inquiries gets written more (attribution from analytics).
        performance=template_performance(workspace=workspace),
        # Drafts that come out too close to an earlier post are rewritten by the engine.
        earlier_texts=tuple(selectors.earlier_post_texts(workspace=workspace)[:200]),
    )
    earlier = selectors.earlier_posts_index(workspace=workspace)
    # The model was asked above with no transaction open (it may take 30 s); only storing
    # the draft is atomic.
    with transaction.atomic():
        post = _store_generated(
            workspace=workspace,
            author=author,
            generated=generated,
            templates=by_key,
            earlier=earlier,
            facts=selectors.lint_facts(workspace=workspace),
        )
        audit_record(
            action="post.generated",
            actor=author,
            workspace=workspace,
            target=post.hook[:200],
            backend=post.backend,
            template=post.template_key,
        )
    return post


def post_plan_week(*, workspace, author, count: int) -> list[Post]:
    """A week of drafts written here and now (scripts, tests): the same drafting job a worker
    runs for the Content page (apps/content/drafting.py), run in this process."""
    from apps.content import drafting
    from apps.content.models import DraftingJob

    job = drafting.drafting_job_start(
        workspace=workspace, author=author, kind=DraftingJob.Kind.WEEK, count=count
    )
    drafting.drafting_job_run(job_id=job.pk, workspace_id=workspace.pk)
    return list(selectors.drafting_job_posts(workspace=workspace, job=job))


# --- Editing -------------------------------------------------------------------------------


def _require_editable(post: Post) -> None:
    if post.archived_at is not None:
        raise ContentError(_("This post is archived. Restore it to change it."))
    if not post.is_editable:
        raise ContentError(
            _("A %(status)s post can no longer be edited.")
            % {"status": post.get_status_display().lower()}
        )


@transaction.atomic
def post_save(
    *, post: Post, actor, text: str, first_comment: str = "", note: str = "edited"
) -> Post:
    _require_editable(post)
    text = text.replace("\r\n", "\n").strip()
    first_comment = first_comment.replace("\r\n", "\n").strip()
    if not text:
        raise ContentError(_("A post needs some text."))
    if len(text) > MAX_POST_CHARS:
        raise ContentError(_("That is far too long for LinkedIn; keep it under 3,000 characters."))
    if text == post.text and first_comment == post.first_comment:
        return post
    earlier = selectors.earlier_posts_index(workspace=post.workspace, exclude_pk=post.pk)
    post.text = text
    post.first_comment = first_comment
    post.hook = text.split("\n\n", 1)[0][:400]
    facts = selectors.lint_facts(workspace=post.workspace, topic=post.topic)
    post.lint_score = lint_post(text, earlier_posts=earlier, facts=facts).score
    if post.status in (Post.Status.IN_REVIEW, Post.Status.APPROVED):
        post.status = Post.Status.DRAFT
        post.approved_at = None
        post.approved_by = None
        _expire_approval_links(post)
    post.save()
    PostVersion.objects.create(
        workspace=post.workspace,
        post=post,
        text=text,
        first_comment=first_comment,
        created_by=actor,
        note=note,
    )
    return post


@transaction.atomic
def post_create_manual(*, workspace, author, text: str, first_comment: str = "") -> Post:
    post = Post(workspace=workspace, author=author, text="", backend=Post.Backend.MANUAL)
    post.save()
    return post_save(
        post=post, actor=author, text=text, first_comment=first_comment, note="written"
    )


@transaction.atomic
def post_restore_version(*, post: Post, version: PostVersion, actor) -> Post:
    return post_save(
        post=post,
        actor=actor,
        text=version.text,
        first_comment=version.first_comment,
        note="restored",
    )


@transaction.atomic
def post_archive(*, post: Post, actor) -> Post:
    if post.status in (Post.Status.SCHEDULED, Post.Status.PUBLISHING):
        raise ContentError(_("Unschedule the post before archiving it."))
    post.archived_at = timezone.now()
    post.save(update_fields=["archived_at", "updated_at"])
    _expire_approval_links(post)
    return post


@transaction.atomic
def post_unarchive(*, post: Post, actor) -> Post:
    post.archived_at = None
    post.save(update_fields=["archived_at", "updated_at"])
    return post


# --- Review and approval -------------------------------------------------------------------


def _approvers(workspace) -> list[Membership]:
    return list(
        owned(Membership, workspace=workspace)
        .filter(role__in=(Role.OWNER, Role.ADMIN), user__is_active=True)
        .select_related("user")
    )


@transaction.atomic
def post_submit_for_review(*, post: Post, actor, ip_address: str | None = None) -> Post:
    _require_editable(post)
    if post.status != Post.Status.DRAFT:
        raise ContentError(_("Only drafts can be sent for review."))
    post.status = Post.Status.IN_REVIEW
    post.submitted_at = timezone.now()
    post.review_comment = ""
    post.save(update_fields=["status", "submitted_at", "review_comment", "updated_at"])
    audit_record(
        action="post.submitted",
        actor=actor,
        workspace=post.workspace,
        target=post.hook[:200],
        ip_address=ip_address,
    )
    for membership in _approvers(post.workspace):
        if membership.user_id == actor.pk:
            continue
        url = approval_link_create(post=post, approver=membership.user)
        _tell_approver(post, membership.user, url, actor)
    return post


def _tell_approver(post: Post, approver, url: str, requested_by) -> None:
    """One event per approver, recorded with the submission: in the app, and by email (with
    this approver's one-click link) and push as they chose, delivered after commit."""
    from apps.notifications import events

    body = render_to_string(
        "content/email/review_request.txt",
        {
            "post": post,
            "approver": approver,
            "url": url,
            "requested_by": requested_by,
            "valid_hours": settings.APPROVAL_LINK_VALID_HOURS,
        },
    )
    events.post_approval_requested(
        post=post,
        approver=approver,
        notice={
            "title": _("Please approve a post for %(workspace)s")
            % {"workspace": post.workspace.name},
            "body": post.hook[:200],
            "url": reverse(
                "post_edit", kwargs={"workspace_slug": post.workspace.slug, "pk": post.pk}
            ),
            # A post sent back and submitted again is a new request.
            "dedupe_key": f"approval:{post.pk}:{post.submitted_at.timestamp():.0f}",
            "email_text": body,
        },
    )


def require_no_gaps(post: Post) -> None:
    """A draft with a visible gap ("[your example: …]") cannot be approved or scheduled."""
    gaps = find_gaps(post.text)
    if gaps:
        raise ContentError(gap_message(gaps))


def _require_approver(membership: Membership) -> None:
    if not membership.has_role(Role.ADMIN):
        raise NotAllowed(
            _("Editors can draft and submit posts, but only owners and admins can approve them.")
        )


@transaction.atomic
def post_approve(*, post: Post, membership: Membership, ip_address: str | None = None) -> Post:
    _require_approver(membership)
    _require_editable(post)
    if post.status not in (Post.Status.DRAFT, Post.Status.IN_REVIEW):
        raise ContentError(_("This post is already approved."))
    require_no_gaps(post)
    lint = lint_post(post.text)
    if lint.has_errors:
        raise ContentError(
            _("Fix the errors the checker lists before approving: %(errors)s")
            % {"errors": "; ".join(f.message for f in lint.findings if f.severity == "error")}
        )
    post.status = Post.Status.APPROVED
    post.approved_at = timezone.now()
    post.approved_by = membership.user
    post.save(update_fields=["status", "approved_at", "approved_by", "updated_at"])
    _expire_approval_links(post)
    audit_record(
        action="post.approved",
        actor=membership.user,
        workspace=post.workspace,
        target=post.hook[:200],
        ip_address=ip_address,
    )
    return post


@transaction.atomic
def post_send_back(
    *, post: Post, membership: Membership, comment: str, ip_address: str | None = None
) -> Post:
    _require_approver(membership)
    if post.status not in (Post.Status.IN_REVIEW, Post.Status.APPROVED):
        raise ContentError(_("Only posts in review or approved can be sent back."))
    comment = comment.strip()
    if not comment:
        raise ContentError(_("Say what should change, so the author knows what to fix."))
    post.status = Post.Status.DRAFT
    post.review_comment = comment
    post.approved_at = None
    post.approved_by = None
    post.save(
        update_fields=["status", "review_comment", "approved_at", "approved_by", "updated_at"]
    )
    _expire_approval_links(post)
    audit_record(
        action="post.sent_back",
        actor=membership.user,
        workspace=post.workspace,
        target=post.hook[:200],
        ip_address=ip_address,
        comment=comment[:500],
    )
    return post


# --- One-click approval links --------------------------------------------------------------


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def approval_link_create(*, post: Post, approver) -> str:
    nonce = secrets.token_urlsafe(24)
    link = ApprovalLink.objects.create(
        workspace=post.workspace, post=post, approver=approver, nonce_hash=_hash(nonce)
    )
    token = signing.dumps({"l": link.pk, "n": nonce}, salt=APPROVAL_SALT, compress=True)
    return settings.SITE_URL.rstrip("/") + reverse("approval_link", args=[token])


def _expire_approval_links(post: Post) -> None:
    ApprovalLink.objects.filter(
        workspace_id=post.workspace_id, post=post, used_at__isnull=True
    ).update(used_at=timezone.now())


@dataclass
class ApprovalCheck:
    link: ApprovalLink | None
    error: str = ""
    details: dict = field(default_factory=dict)


def approval_link_check(*, token: str, user) -> ApprovalCheck:
    """Whether this signed link may approve now, by this user. Never says whose post it is
    when the answer is no."""
    with across_workspaces(reason="a one-click approval link found by its signed token"):
        try:
            data = signing.loads(
                token,
                salt=APPROVAL_SALT,
                max_age=timedelta(hours=settings.APPROVAL_LINK_VALID_HOURS),
            )
        except signing.SignatureExpired:
            return ApprovalCheck(
                None, _("This approval link has expired. Open the post in the app to approve it.")
            )
        except signing.BadSignature:
            return ApprovalCheck(None, _("This approval link is not valid."))
        link = (
            ApprovalLink.objects.select_related("post", "post__workspace", "approver")
            .filter(pk=data.get("l"))
            .first()
        )
        if link is None or not secrets.compare_digest(link.nonce_hash, _hash(str(data.get("n")))):
            return ApprovalCheck(None, _("This approval link is not valid."))
        if link.approver_id != user.pk:
            return ApprovalCheck(None, _("This approval link was sent to someone else."))
        if link.used_at is not None:
            return ApprovalCheck(None, _("This approval link has already been used."))
        # The signed link is the key to this one workspace: the rest of the request (approve,
        # the page) works in it, as a workspace URL would (row-level security).
        database_workspace_set(link.workspace_id, user_id=user.pk)
        return ApprovalCheck(link)


@transaction.atomic
def approval_link_use(*, token: str, user, ip_address: str | None = None) -> Post:
    check = approval_link_check(token=token, user=user)
    if check.link is None:
        raise ContentError(check.error)
    # Single use, even when two clicks race: only the request that flips used_at goes on.
    claimed = ApprovalLink.objects.filter(pk=check.link.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        raise ContentError(_("This approval link has already been used."))
    membership = owned(Membership, workspace=check.link.workspace).filter(user=user).first()
    if membership is None:
        raise ContentError(_("You are no longer a member of this workspace."))
    return post_approve(post=check.link.post, membership=membership, ip_address=ip_address)


# --- A workspace's own templates ----------------------------------------------------------


@transaction.atomic
def template_save_from_post(*, post: Post, actor, name: str) -> PostTemplate:
    """Turn a post that worked into a template of the workspace's own: its first paragraph
    becomes a hook, the middle the body, the last paragraph the call to action. The engine
    fills no slots in it; it is offered in rotation like any library template."""
    name = name.strip()
    if not name:
        raise ContentError(_("Give the template a name."))
    paragraphs = [p.strip() for p in post.text.split("\n\n") if p.strip()]
    if len(paragraphs) < 3:
        raise ContentError(
            _("A template needs at least three paragraphs: a hook, a body and a closing line.")
        )
    # Braces would read as slots to the engine; keep them as the literal text they were.
    paragraphs = [p.replace("{", "(").replace("}", ")") for p in paragraphs]
    key = f"own-{post.workspace_id}-{post.pk}"
    template, _created = PostTemplate.objects.update_or_create(
        workspace=post.workspace,
        key=key,
        defaults={
            "name": name[:160],
            "framework": post.framework or Framework.STORY,
            "goal": "engagement",
            "suits": ["any"],
            "hooks": [paragraphs[0]],
            "body": paragraphs[1:-1],
            "ctas": [paragraphs[-1]],
            "is_active": True,
        },
    )
    audit_record(
        action="template.saved", actor=actor, workspace=post.workspace, target=template.name
    )
    return template


# --- CSV import ----------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    text: str
    first_comment: str = ""
    topic: str = ""
    errors: list[str] = field(default_factory=list)


def posts_import_preview(*, csv_text: str) -> list[ImportRow]:
    """Parse a CSV of drafts (columns: text, first_comment, topic; a header row is required)
    and say what is wrong with each row. Nothing is saved."""
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "text" not in fields:
        raise ContentError(
            _(
                "The first row must name the columns, and one must be “text” "
                "(optional: first_comment, topic)."
            )
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        values = {
            (k or "").strip().lower(): (v or "").strip()
            for k, v in raw.items()
            if not isinstance(v, list)
        }
        row = ImportRow(
            line=number,
            text=values.get("text", ""),
            first_comment=values.get("first_comment", ""),
            topic=values.get("topic", "")[:200],
        )
        if not row.text:
            row.errors.append(_("The text is empty."))
        else:
            lint = lint_post(row.text)
            row.errors += [f.message for f in lint.findings if f.severity == "error"]
        rows.append(row)
        if len(rows) > MAX_IMPORT_ROWS:
            raise ContentError(_("Import at most %(n)d posts at a time.") % {"n": MAX_IMPORT_ROWS})
    if not rows:
        raise ContentError(_("The file has no rows below the header."))
    return rows


@transaction.atomic
def posts_import(*, workspace, author, csv_text: str) -> list[Post]:
    rows = posts_import_preview(csv_text=csv_text)
    if any(row.errors for row in rows):
        raise ContentError(_("Fix the rows with errors first; nothing was imported."))
    facts = selectors.lint_facts(workspace=workspace)
    posts = []
    for row in rows:
        post = Post.objects.create(
            workspace=workspace,
            author=author,
            text=row.text,
            first_comment=row.first_comment,
            topic=row.topic,
            hook=row.text.split("\n\n", 1)[0][:400],
            backend=Post.Backend.IMPORT,
            lint_score=lint_post(row.text, facts=facts.with_topic(row.topic)).score,
        )
        PostVersion.objects.create(
            workspace=workspace,
            post=post,
            text=post.text,
            first_comment=post.first_comment,
            created_by=author,
            note="imported",
        )
        posts.append(post)
    audit_record(action="post.imported", actor=author, workspace=workspace, count=len(posts))
    return posts


# --- The shared template library -------------------------------------------------------------


@dataclass(frozen=True)
class LibrarySync:
    created: int
    updated: int
    retired: int


def library_sync(*, using: str = "default") -> LibrarySync:
    """Make the database's shared templates match apps/content/library/*.json.

    Idempotent: library rows are matched by key and updated; templates that left the library
    are deactivated (posts keep pointing at them); workspaces' own templates are untouched.
    Runs after every `migrate` (apps.py), so a fresh deployment can plan a week at once and a
    deploy that changed the library's wording brings it along. Staff edits in admin are
    overwritten on purpose: the repository is the library's source of truth."""

    with transaction.atomic(using=using):
        return _library_sync(using)


def _library_sync(using: str) -> LibrarySync:
    from apps.content.generation import load_library

    with across_workspaces(reason="the shared template library: rows without a workspace"):
        templates = PostTemplate.objects.db_manager(using)
        created = updated = 0
        keys = set()
        for spec in load_library():
            keys.add(spec.key)
            _row, was_created = templates.update_or_create(
                workspace=None,
                key=spec.key,
                defaults={
                    "name": spec.name,
                    "framework": spec.framework,
                    "goal": spec.goal,
                    "suits": list(spec.suits),
                    "hooks": list(spec.hooks),
                    "body": list(spec.body),
                    "ctas": list(spec.ctas),
                    "translations": dict(getattr(spec, "translations", {}) or {}),
                    "is_active": True,
                },
            )
            created += was_created
            updated += not was_created
        retired = (
            templates.filter(workspace__isnull=True, is_active=True)
            .exclude(key__in=keys)
            .update(is_active=False)
        )
        return LibrarySync(created=created, updated=updated, retired=retired)
