"""The guided start a new workspace opens on: six steps from an empty workspace to the
first inquiry, each done or not from what the workspace already holds (never from a flag
the user ticks, so a step undone later shows as open again)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import profile_of_member
from apps.accounts.tenancy import owned
from apps.analytics.capabilities import workspace_capabilities
from apps.content.models import Post, PostingSlot
from apps.linkedin import capabilities as linkedin_capabilities
from apps.linkedin.selectors import connection_for


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    why: str
    url: str
    action: str
    done: bool


@dataclass(frozen=True)
class Onboarding:
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 100

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


def onboarding_for(*, workspace, user) -> Onboarding:
    """Queries: the profile, the connection, the capability facts (one), posts exist,
    slots exist."""
    slug = workspace.slug
    profile = profile_of_member(workspace=workspace, user=user)
    connection = connection_for(workspace=workspace)
    connected = connection is not None and connection.is_usable
    comment_state = workspace_capabilities(
        workspace=workspace, connection=connection
    ).comment_reading.state
    comments_arrive = comment_state in {
        linkedin_capabilities.WORKS,
        linkedin_capabilities.USING_IMPORT,
    }
    steps = [
        Step(
            key="expertise",
            title=_("Your name and expertise"),
            why=_("A headline, your areas and your offers: every post is written from them."),
            url=reverse("profile", args=[slug]),
            action=_("Describe your expertise"),
            done=bool(user.full_name) and profile is not None and profile.is_complete,
        ),
        Step(
            key="proof",
            title=_("Proof points"),
            why=_(
                "Case studies with results in numbers. Posts only state results you gave, so "
                "without them they stay general."
            ),
            url=reverse("profile", args=[slug]) + "#id_case_studies",
            action=_("Add a case study"),
            done=profile is not None and bool(profile.case_studies),
        ),
        Step(
            key="linkedin",
            title=_("Connect LinkedIn"),
            why=_("So approved posts go out on your profile and their figures come back."),
            url=reverse("linkedin_settings", args=[slug]),
            action=_("Connect LinkedIn"),
            done=connected,
        ),
        Step(
            key="plan",
            title=_("Plan a week"),
            why=_("Drafts in your voice from proven templates, ready to edit and approve."),
            url=reverse("content", args=[slug]),
            action=_("Plan my week"),
            done=owned(Post, workspace=workspace).exists(),
        ),
        Step(
            key="slots",
            title=_("Posting times"),
            why=_("The weekly times your approved posts go out, in your time zone."),
            url=reverse("posting_slots", args=[slug]),
            action=_("Set posting times"),
            done=owned(PostingSlot, workspace=workspace).exists(),
        ),
        Step(
            key="comments",
            title=_("How comments reach the app"),
            why=_(
                "Inquiries are found in the comments on your posts: read through LinkedIn "
                "where it allows, or forwarded from LinkedIn's notification e-mails."
            ),
            url=reverse("inbound_setup", args=[slug]),
            action=_("Set up comment forwarding"),
            done=comments_arrive,
        ),
    ]
    return Onboarding(steps=steps)
