"""A workspace with one of everything a URL can point at, shared by the security tests.

Every object a route addresses by `<int:pk>` is created with the same primary key, OBJECT_ID,
so one id fills every route and each route reaches a real object of Alice's (the URL walks
in tests/test_security.py and tests/test_form_fuzz.py would learn little from 404s).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from urllib.parse import urlsplit

from apps.accounts.models import Invitation, Membership, Role
from apps.accounts.tests.factories import UserFactory
from apps.content import services as content_services
from apps.content.models import DraftingJob, Post, PostingSlot, PostVersion
from apps.core.models import OutboundEmail
from apps.leads.digests import status_link
from apps.leads.models import Comment, Commenter, Lead
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.tenancy_guard import _CONVERTER, WORKSPACE_URL_KWARG, Route, iter_routes

OBJECT_ID = 9001


@dataclass
class World:
    workspace: object
    owner: object
    tokens: dict[str, str]  # route prefix -> a valid token for that route


def build_world(*, workspace, owner) -> World:
    dave = UserFactory(email="dave@example.com", full_name="Dave Viewer")
    Membership.objects.create(pk=OBJECT_ID, workspace=workspace, user=dave, role=Role.VIEWER)
    invitation = Invitation.objects.create(
        pk=OBJECT_ID, workspace=workspace, email="erin@example.com", invited_by=owner
    )
    post = Post.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        author=owner,
        text="Three things that stall a Kubernetes migration. Which one hit you?",
        hook="Three things that stall a Kubernetes migration.",
        status=Post.Status.IN_REVIEW,
    )
    PostVersion.objects.create(
        pk=OBJECT_ID, workspace=workspace, post=post, text=post.text, created_by=owner
    )
    PostingSlot.objects.create(
        pk=OBJECT_ID, workspace=workspace, weekday=PostingSlot.Weekday.TUESDAY, local_time=time(8)
    )
    commenter = Commenter.objects.create(
        pk=OBJECT_ID, workspace=workspace, actor_urn="urn:li:person:cfo77", name="Dana"
    )
    lead = Lead.objects.create(pk=OBJECT_ID, workspace=workspace, commenter=commenter, score=80)
    Comment.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        post=post,
        commenter=commenter,
        lead=lead,
        urn="urn:li:comment:(urn:li:activity:1,9001)",
        text="What would a two-week audit cost?",
    )
    endpoint = WebhookEndpoint.objects.create(
        pk=OBJECT_ID, workspace=workspace, url="https://hooks.example.com/in", events=["*"]
    )
    WebhookDelivery.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        endpoint=endpoint,
        event="lead.detected",
        payload={"id": 1},
        status=WebhookDelivery.Status.FAILED,
        next_attempt_at=None,
    )
    OutboundEmail.objects.create(pk=OBJECT_ID, subject="Hello", to="alice@example.com")
    DraftingJob.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        author=owner,
        kind=DraftingJob.Kind.WEEK,
        count=3,
        state=DraftingJob.State.DONE,
    )
    approval = content_services.approval_link_create(post=post, approver=owner)
    status = status_link(lead=lead, user=owner, status=Lead.Status.CONTACTED)
    tokens = {
        "approve/": _token_of(approval),
        "lead-status/": _token_of(status),
        "invitations/": invitation.token,
    }
    return World(workspace=workspace, owner=owner, tokens=tokens)


def _token_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def url_for(route: Route, world: World) -> str | None:
    """A concrete path for a route of our own, filled with the world's slug, ids and tokens."""
    if route.is_regex:
        return None
    token = next((t for prefix, t in world.tokens.items() if route.route.startswith(prefix)), "x")

    def fill(match):
        converter, name = match.group("conv") or "str", match.group("name")
        if name == WORKSPACE_URL_KWARG:
            return world.workspace.slug
        if converter == "int":
            return str(OBJECT_ID)
        if converter == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return token

    return "/" + _CONVERTER.sub(fill, route.route)


def our_routes():
    """Every route of the project but Django's and allauth's own (tested by them)."""
    for route in iter_routes():
        if route.route.startswith(("admin/", "accounts/", "static/", "i18n/", "__")):
            continue
        yield route


# --- The victim of the insider walk ---------------------------------------------------------

VICTIM_MARKER = "Zq7-victim"  # in names and texts of the victim's rows, found nowhere else


def arm_victim(world: World) -> list[str]:
    """More of the victim's rows at OBJECT_ID (templates, notifications, devices, tokens,
    deliveries), each carrying a marker, and the marked texts the walk must never show to
    another workspace's member."""
    from apps.analytics.models import MetricSnapshot
    from apps.api.models import ApiToken
    from apps.content.models import PostTemplate
    from apps.notifications.models import Delivery, Event, Notification, PushSubscription

    workspace, owner = world.workspace, world.owner
    post = Post.objects.get(pk=OBJECT_ID)
    Post.objects.filter(pk=OBJECT_ID).update(
        text=f"{post.text} {VICTIM_MARKER}-post", hook=f"{VICTIM_MARKER}-hook"
    )
    Commenter.objects.filter(pk=OBJECT_ID).update(
        name=f"Dana {VICTIM_MARKER}-name", headline=f"CFO {VICTIM_MARKER}-headline"
    )
    Comment.objects.filter(pk=OBJECT_ID).update(text=f"Audit price? {VICTIM_MARKER}-comment")
    PostVersion.objects.filter(pk=OBJECT_ID).update(text=f"{VICTIM_MARKER}-version")
    Lead.objects.filter(pk=OBJECT_ID).update(notes=f"{VICTIM_MARKER}-notes")
    WebhookEndpoint.objects.filter(pk=OBJECT_ID).update(
        url=f"https://{VICTIM_MARKER.lower()}-hooks.example.com/in"
    )
    PostTemplate.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        key="victim-own",
        name=f"{VICTIM_MARKER}-template",
        framework="story",
    )
    notification = Notification.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        user=owner,
        event=Event.LEAD_DETECTED,
        title=f"{VICTIM_MARKER}-notification",
    )
    Delivery.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        notification=notification,
        user=owner,
        channel=Delivery.Channel.IN_APP,
        target=f"{VICTIM_MARKER}-target",
    )
    PushSubscription.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        user=owner,
        endpoint="https://push.example.com/victim",
        p256dh="BPublicKey",
        auth="victim-auth",
        label=f"{VICTIM_MARKER}-device",
    )
    ApiToken.objects.create(
        pk=OBJECT_ID,
        workspace=workspace,
        user=owner,
        name=f"{VICTIM_MARKER}-token",
        role=Role.EDITOR,
        prefix="tl_victim",
        secret_hash="v" * 64,
    )
    MetricSnapshot.objects.create(workspace=workspace, post=post, impressions=987654321)
    return [VICTIM_MARKER, VICTIM_MARKER.lower(), "dave@example.com", "erin@example.com"]


def workspace_fingerprint(workspace_id: int) -> dict[str, int]:
    """A hash of every row of the workspace, per table: any write to them changes it."""
    from apps.accounts.data_rights import workspace_tables
    from apps.accounts.models import User, Workspace

    fingerprint = {}
    for table in workspace_tables():
        rows = (
            table.model._base_manager.filter(**{f"{table.workspace_field}_id": workspace_id})
            .order_by("pk")
            .values_list()
        )
        fingerprint[table.label] = hash(tuple(repr(row) for row in rows))
    members = User.objects.filter(memberships__workspace_id=workspace_id).order_by("pk")
    fingerprint["accounts/user"] = hash(tuple(repr(row) for row in members.values_list()))
    fingerprint["accounts/workspace"] = hash(
        repr(list(Workspace.objects.filter(pk=workspace_id).values_list()))
    )
    return fingerprint
