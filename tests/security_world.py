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
from apps.content.models import Post, PostingSlot, PostVersion
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
