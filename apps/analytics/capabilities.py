"""Per workspace, what works with LinkedIn: the facts from leads and analytics, decided by
`apps.linkedin.capabilities` (which may not import these apps itself)."""

from django.db.models import Exists

from apps.accounts.models import Workspace
from apps.accounts.tenancy import owned
from apps.analytics.models import MetricSnapshot
from apps.leads.mail_inbound import forwarding_in_use
from apps.leads.models import Comment, LeadSettings
from apps.linkedin import capabilities
from apps.linkedin.selectors import connection_for


def capability_facts(*, workspace) -> dict[str, bool]:
    """In one query: whether comments reached the workspace other than through LinkedIn's
    API (forwarded e-mail, paste, CSV), whether analytics were imported from LinkedIn's
    export, and whether LinkedIn refused (403) the last attempt to read comments."""
    return (
        Workspace.objects.filter(pk=workspace.pk)
        .annotate(
            comments_imported=Exists(
                owned(Comment, workspace=workspace).exclude(source=Comment.Source.LINKEDIN)
            ),
            analytics_imported=Exists(
                owned(MetricSnapshot, workspace=workspace).filter(
                    source=MetricSnapshot.Source.IMPORT
                )
            ),
            comment_reading_refused=Exists(
                owned(LeadSettings, workspace=workspace).filter(comment_reading_permitted=False)
            ),
        )
        .values("comments_imported", "analytics_imported", "comment_reading_refused")
        .get()
    )


def workspace_capabilities(*, workspace, connection=None) -> capabilities.Capabilities:
    """Publishing, first comment, comment reading, analytics and replies, each in words.

    Pass `connection` when the caller has it already, to save a query."""
    facts = capability_facts(workspace=workspace)
    # A forwarding route that works (a test message, or comments by e-mail lately) counts
    # as comments arriving by import even before the first comment is stored.
    facts["comments_imported"] = facts["comments_imported"] or forwarding_in_use(
        workspace=workspace
    )
    return capabilities.decide(
        connection=connection or connection_for(workspace=workspace), **facts
    )
