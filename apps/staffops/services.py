"""Writes staff make from the admin. Each owns its transaction and its audit record, with
the staff member as the actor; where tenants can do the same thing in the app, the same
service does it here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User, Workspace
from apps.accounts.services import audit_record
from apps.accounts.tenancy import owned
from apps.content import scheduling
from apps.content.models import Post
from apps.linkedin.models import LinkedInConnection


@transaction.atomic
def posting_set_paused(
    *, workspace: Workspace, paused: bool, actor: User, ip_address: str | None = None
) -> bool:
    """Pause or resume posting. The dispatcher holds due posts of a paused workspace (and
    tells its owners why). Returns False when the workspace already was in that state."""
    changed = Workspace.objects.filter(pk=workspace.pk, posting_paused=not paused).update(
        posting_paused=paused
    )
    if changed:
        audit_record(
            action="staff.posting_paused" if paused else "staff.posting_resumed",
            actor=actor,
            workspace=workspace,
            target=workspace.name,
            ip_address=ip_address,
        )
    return bool(changed)


def failed_post_retry(*, post: Post, actor: User, ip_address: str | None = None) -> bool:
    """Send one failed post out again, now. Returns False when it is no longer failed.

    The post goes back to approved and then through `post_publish_now`, the service behind
    the app's "Publish now" button, so it is scheduled, claimed and published by the same
    path as any other post. Posts that need a check are never retried here: their outcome
    is unknown, and retrying them blindly could publish twice."""
    with transaction.atomic():
        # Conditional: a post someone else retried or changed meanwhile is left alone.
        if not Post.objects.filter(
            pk=post.pk, status=Post.Status.FAILED, archived_at__isnull=True
        ).update(status=Post.Status.APPROVED, status_reason="", updated_at=timezone.now()):
            return False
        post = Post.objects.select_related("workspace").get(pk=post.pk)
        scheduling.post_publish_now(post=post, actor=actor)
        audit_record(
            action="staff.failed_post_retried",
            actor=actor,
            workspace=post.workspace,
            target=post.hook[:200] or post.text[:200],
            ip_address=ip_address,
            post_id=post.pk,
        )
    return True


def failed_posts_retry(
    *, workspace: Workspace, actor: User, ip_address: str | None = None
) -> list[int]:
    """Retry every failed post of the workspace. Returns the ids of the posts retried."""
    failed = (
        owned(Post, workspace=workspace)
        .filter(status=Post.Status.FAILED, archived_at__isnull=True)
        .order_by("pk")
    )
    return [
        post.pk
        for post in failed
        if failed_post_retry(post=post, actor=actor, ip_address=ip_address)
    ]


def linkedin_refresh_enqueue(
    *, workspace: Workspace, actor: User, ip_address: str | None = None
) -> bool:
    """Queue a forced refresh of the workspace's LinkedIn token now, whatever its expiry
    (only one refreshed within the last minute is skipped). Returns False when the workspace
    has no connection with a refresh token."""
    from apps.linkedin.selectors import connection_for
    from apps.linkedin.tasks import refresh_token

    connection = connection_for(workspace=workspace)
    if (
        connection is None
        or connection.status != LinkedInConnection.Status.CONNECTED
        or not connection.refresh_token
    ):
        return False
    with transaction.atomic():
        audit_record(
            action="staff.linkedin_refresh_requested",
            actor=actor,
            workspace=workspace,
            target=connection.name or connection.member_urn,
            ip_address=ip_address,
        )
        transaction.on_commit(lambda: refresh_token.delay(connection.pk, workspace.pk, force=True))
    return True
