"""A workspace with a row in every table a workspace owns, for the data-rights tests.

`populate` writes directly through the ORM: these tests are about what is stored and what
is left after a deletion, not about the paths that normally create the rows."""

from __future__ import annotations

from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from apps.accounts.models import AuditEvent, ExpertiseProfile, Invitation, Membership, Role
from apps.analytics.models import MetricSnapshot
from apps.api.models import ApiToken
from apps.content.models import (
    ApprovalLink,
    DraftingJob,
    FirstComment,
    PastPost,
    Post,
    PostingSlot,
    PostTemplate,
    PostVersion,
    PublishAttempt,
)
from apps.crm.models import CrmConnection, CrmDelivery, CrmRecord
from apps.leads.models import (
    Alert,
    AlertSettings,
    Comment,
    Commenter,
    Feedback,
    InboundAddress,
    InboundMessage,
    Lead,
    LeadCalibration,
    LeadHourlyTotals,
    LeadSettings,
    LeadStatusTotals,
)
from apps.linkedin.models import LinkedInConnection
from apps.media.models import CarouselStyle, MediaPage, PostMedia
from apps.notifications.models import (
    Delivery,
    Event,
    Notification,
    OutboxEvent,
    PhoneNumber,
    Preference,
    PushSubscription,
)
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

ACCESS_TOKEN = "AQX-secret-access-token-0001"
REFRESH_TOKEN = "AQX-secret-refresh-token-0002"
WEBHOOK_SECRET = "whsec_never-in-an-export-0003"
PUSH_AUTH = "push-auth-secret-0004"
CRM_TOKEN = "pat-never-in-an-export-0005"


def populate(workspace, *, owner, prefix: str = "") -> dict:
    """Fill every workspace table with at least one row. Returns the main rows by name."""
    now = timezone.now()
    Membership.objects.get_or_create(workspace=workspace, user=owner, defaults={"role": Role.OWNER})
    ExpertiseProfile.objects.get_or_create(workspace=workspace, user=owner)
    Invitation.objects.create(workspace=workspace, email=f"{prefix}invitee@example.com")
    AuditEvent.objects.create(workspace=workspace, actor=owner, action="test.populated")
    LinkedInConnection.objects.create(
        workspace=workspace,
        connected_by=owner,
        member_sub=f"{prefix}sub",
        member_urn=f"urn:li:person:{prefix}abc",
        name="Dana Demo",
        access_token=ACCESS_TOKEN,
        access_token_expires_at=now + timedelta(days=30),
        refresh_token=REFRESH_TOKEN,
    )
    template = PostTemplate.objects.create(
        workspace=workspace, key=f"{prefix}own", name="Own template", framework="story"
    )
    post = Post.objects.create(
        workspace=workspace,
        author=owner,
        template=template,
        status=Post.Status.PUBLISHED,
        text=f"{prefix}We cut our cloud bill by 38%. Here is how.",
        published_at=now - timedelta(days=1),
        linkedin_urn=f"urn:li:share:{prefix}1",
    )
    PostVersion.objects.create(workspace=workspace, post=post, text=post.text, created_by=owner)
    ApprovalLink.objects.create(workspace=workspace, post=post, approver=owner, nonce_hash="x" * 64)
    PostingSlot.objects.create(workspace=workspace, weekday=1, local_time=time(8, 30))
    PastPost.objects.create(
        workspace=workspace,
        author=owner,
        text=f"{prefix}Three years ago I moved a bank to Kafka.",
        text_hash=f"{prefix}{'p' * 64}"[:64],
    )
    PublishAttempt.objects.create(
        workspace=workspace, post=post, outcome=PublishAttempt.Outcome.PUBLISHED
    )
    FirstComment.objects.create(workspace=workspace, post=post, text="Slides: /s")
    DraftingJob.objects.create(
        workspace=workspace, author=owner, kind=DraftingJob.Kind.WEEK, count=3
    )
    OutboxEvent.objects.create(
        workspace=workspace, event=Event.POST_PUBLISHED, key=f"post.published:{post.pk}"
    )
    MetricSnapshot.objects.create(workspace=workspace, post=post, impressions=120, reactions=7)
    notification = Notification.objects.create(
        workspace=workspace, user=owner, event=Event.LEAD_DETECTED, title="New lead"
    )
    Preference.objects.create(workspace=workspace, user=owner, event=Event.POST_FAILED)
    Delivery.objects.create(
        workspace=workspace, notification=notification, channel=Delivery.Channel.IN_APP
    )
    PushSubscription.objects.create(
        workspace=workspace,
        user=owner,
        endpoint=f"https://push.example.com/{prefix}device",
        p256dh="BPublicKey",
        auth=PUSH_AUTH,
    )
    PhoneNumber.objects.create(workspace=workspace, user=owner, number="+4915112345678")
    ApiToken.objects.create(
        workspace=workspace,
        user=owner,
        name="script",
        role=Role.EDITOR,
        prefix="tl_abcd",
        secret_hash=f"{prefix}{'h' * 60}"[:64],
    )
    LeadSettings.objects.create(workspace=workspace)
    commenter = Commenter.objects.create(
        workspace=workspace, actor_urn=f"urn:li:person:{prefix}cto42", name="Chris CTO"
    )
    lead = Lead.objects.create(workspace=workspace, commenter=commenter, score=82, source_post=post)
    if connection.vendor != "postgresql":
        # PostgreSQL's triggers keep the lead totals of the lead above; SQLite has none
        # (nor reads the table), so its row is written here.
        LeadStatusTotals.objects.create(workspace=workspace, status=lead.status, n=1)
        LeadHourlyTotals.objects.create(
            workspace=workspace,
            hour=lead.created_at.replace(minute=0, second=0, microsecond=0),
            status=lead.status,
            n=1,
        )
    comment = Comment.objects.create(
        workspace=workspace,
        post=post,
        commenter=commenter,
        lead=lead,
        urn=f"urn:li:comment:{prefix}1",
        text="What's your rate for a fractional CTO?",
    )
    Feedback.objects.create(workspace=workspace, comment=comment, is_lead=True, user=owner)
    LeadCalibration.objects.create(workspace=workspace, offset=0.2, answers=1)
    AlertSettings.objects.create(workspace=workspace, user=owner)
    Alert.objects.create(workspace=workspace, lead=lead, user=owner)
    InboundAddress.objects.create(
        workspace=workspace, token=f"{prefix}inboundtoken".replace("-", "")
    )
    InboundMessage.objects.create(
        workspace=workspace,
        subject="Chris CTO commented on your post",
        raw="Subject: Chris CTO commented on your post\n\nChris CTO\n",
        status=InboundMessage.Status.PARSED,
        comment=comment,
    )
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url="https://hooks.example.com/in",
        events=["lead.detected"],
        secret=WEBHOOK_SECRET,
    )
    WebhookDelivery.objects.create(
        workspace=workspace, endpoint=endpoint, event="lead.detected", payload={"lead": lead.pk}
    )
    crm = CrmConnection.objects.create(workspace=workspace, provider="hubspot", token=CRM_TOKEN)
    CrmRecord.objects.create(workspace=workspace, lead=lead, provider="hubspot", contact_id="7")
    CrmDelivery.objects.create(
        workspace=workspace, connection=crm, lead=lead, event="lead.detected", event_key="k1"
    )
    PostMedia.objects.create(
        workspace=workspace,
        post=post,
        kind=PostMedia.Kind.IMAGE,
        file=ContentFile(b"GIF89a", name="pixel.gif"),
        content_type="image/gif",
        size=6,
        alt_text="A pixel",
    )
    document = PostMedia.objects.create(
        workspace=workspace,
        post=post,
        kind=PostMedia.Kind.DOCUMENT,
        file=ContentFile(b"%PDF-1.4", name="deck.pdf"),
        content_type="application/pdf",
        size=8,
        pages=1,
        position=1,
    )
    MediaPage.objects.create(
        workspace=workspace,
        media=document,
        number=1,
        image=ContentFile(b"PNG", name="page-1.png"),
        width=1,
        height=1,
    )
    CarouselStyle.objects.create(workspace=workspace)
    return {"post": post, "lead": lead, "comment": comment, "endpoint": endpoint}
