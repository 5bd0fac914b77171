"""Commenters, their comments on the workspace's posts, the leads they become, and the
feedback that teaches the classifier."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned

INTENT_LABELS = {
    "direct_inquiry": _("Direct inquiry"),
    "pricing_question": _("Pricing question"),
    "hiring_signal": _("Hiring signal"),
    "pain_signal": _("Pain signal"),
    "referral": _("Referral"),
    "technical_question": _("Technical question"),
    "praise": _("Praise"),
    "spam": _("Spam"),
    "other": _("Other"),
}


class LeadSettings(WorkspaceOwned):
    """Per-workspace lead rules (one row per workspace, made on first use)."""

    # 60 is scoring.LEAD_LINE: the classifier's own operating point in score points.
    alert_threshold = models.PositiveSmallIntegerField(
        _("lead score threshold"),
        default=60,
        help_text=_("Comments scoring at least this become leads and trigger alerts."),
    )
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate new leads after (hours)"), default=24
    )
    retention_days = models.PositiveIntegerField(_("keep commenter data for (days)"), default=365)
    comment_reading_permitted = models.BooleanField(default=True)
    share_labelled_comments = models.BooleanField(
        _("share labelled comments"),
        default=False,
        help_text=_(
            "Let the TechLead team use the text of comments you mark as lead or not a lead "
            "(the text only: no names, no headlines) to improve lead detection for everyone."
        ),
    )
    comment_reading_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_lead_settings_per_workspace")
        ]

    def __str__(self):
        return f"lead settings of {self.workspace_id}"


class Commenter(WorkspaceOwned):
    actor_urn = models.CharField(max_length=120)
    name = models.CharField(max_length=200, blank=True)
    headline = models.CharField(max_length=300, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "actor_urn"], name="one_commenter_per_urn")
        ]

    def __str__(self):
        return self.name or self.actor_urn


class Lead(WorkspaceOwned):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        CONVERTED = "converted", _("Converted")
        LOST = "lost", _("Lost")
        NOT_A_LEAD = "not_a_lead", _("Not a lead")

    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="leads")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    score = models.PositiveSmallIntegerField(default=0)
    intent = models.CharField(max_length=40, blank=True)
    value_eur = models.DecimalField(
        _("value (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Every change the dashboard shows touches this, .update() calls included
    # (apps/analytics/selectors.dashboard_fingerprint relies on it).
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    alerted_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Attribution: the post of the lead's first comment, the one that brought the person in.
    # Kept here by services.attribute_comment so the dashboard sums leads per post instead
    # of scanning every comment.
    source_post = models.ForeignKey(
        "content.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sourced_leads",
    )
    first_commented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "commenter"], name="one_lead_per_commenter"
            )
        ]
        indexes = [
            # The lead list by status and score; and, with what they count and sum carried in
            # the index (PostgreSQL reads no table rows: an index-only scan), the dashboard's
            # funnel over every lead where the status totals are not kept (SQLite).
            models.Index(
                fields=["workspace", "status", "-score"],
                include=["id", "value_eur", "status_changed_at"],
                name="lead_status_cover_idx",
            ),
            # The leads a post brought (the dashboard counts them for every post of a period).
            models.Index(
                fields=["workspace", "source_post"],
                include=["id", "status", "value_eur"],
                name="lead_source_post_cover_idx",
            ),
            # The dashboard's fingerprint asks for the latest change on every visit.
            models.Index(fields=["workspace", "updated_at"]),
            # The dashboard's lead figures and trends: a workspace's leads of two periods.
            models.Index(
                fields=["workspace", "created_at"],
                include=["id", "status", "value_eur"],
                name="lead_created_cover_idx",
            ),
            # The dashboard's conversions of two periods: only the converted leads in those
            # periods are read (lead_status_cover_idx read all of a workspace's converted
            # leads and dropped those outside: 3.0 -> 1.5 ms at ten times the size). Partial,
            # so a lead is written to it only while converted: ingestion never touches it.
            models.Index(
                fields=["workspace", "status_changed_at"],
                include=["value_eur"],
                condition=models.Q(status="converted"),
                name="lead_converted_cover_idx",
            ),
        ]

    def __str__(self):
        return f"{self.commenter} ({self.get_status_display()}, {self.score})"


class LeadStatusTotals(WorkspaceOwned):
    """Per workspace and lead status: how many leads and their summed value_eur (the funnel).

    Kept by PostgreSQL triggers on leads_lead (apps/leads/totals.py), with each post's
    attributed leads and value (Post.attributed_leads, attributed_value), so every write path
    is covered: the ORM, bulk_create, .update(), cascades, raw SQL. The dashboard reads these
    instead of counting 200,000 leads per visit. SQLite has no such triggers: there the table
    stays empty and nothing reads it. `manage.py rebuild_lead_totals` recomputes them."""

    status = models.CharField(max_length=20, choices=Lead.Status.choices)
    n = models.IntegerField(default=0)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "status"], name="one_lead_total_per_status"
            )
        ]

    def __str__(self):
        return f"{self.n} {self.status} leads of {self.workspace_id}"


class LeadHourlyTotals(WorkspaceOwned):
    """Per workspace, UTC hour of creation (created_at truncated to the hour) and lead status:
    how many leads, their summed value_eur, and how many of them have a value (a sum of no
    values is NULL to the dashboard, as SUM over the leads is). Kept by the same triggers as
    LeadStatusTotals; see there. The dashboard counts a period's leads per local day from these
    rows for the whole hours and from the leads themselves for the hour at either edge."""

    hour = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Lead.Status.choices)
    n = models.IntegerField(default=0)
    value = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    valued = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # What the dashboard sums carried in the index: it reads no table rows (an
            # index-only scan; 4.7 -> 2.9 ms for the leads of two 30-day periods at ten times
            # the size) at the price of no HOT updates of the rows the triggers add to.
            models.UniqueConstraint(
                fields=["workspace", "hour", "status"],
                include=["n", "value", "valued"],
                name="one_lead_total_per_hour_and_status",
            )
        ]

    def __str__(self):
        return f"{self.n} {self.status} leads of {self.workspace_id} at {self.hour}"


class Comment(WorkspaceOwned):
    class Source(models.TextChoices):
        LINKEDIN = "linkedin", _("Read from LinkedIn")
        IMPORT = "import", _("Imported")
        EMAIL = "email", _("From a LinkedIn notification e-mail")

    post = models.ForeignKey(
        "content.Post", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="comments")
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="comments"
    )
    urn = models.CharField(max_length=200)
    parent_urn = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    commented_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.LINKEDIN)
    intent = models.CharField(max_length=40, blank=True)
    intent_probability = models.FloatField(default=0)
    lead_probability = models.FloatField(default=0)
    score = models.PositiveSmallIntegerField(default=0)
    score_parts = models.JSONField(default=list, blank=True)
    # Why the classifier abstained ("short", "unfamiliar", "disagree", "borderline"), or "".
    unsure = models.CharField(max_length=20, blank=True)
    # A language model's verdict on an unsure comment ("lead", "not_lead"), or "".
    second_opinion = models.CharField(max_length=20, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    reply_urn = models.CharField(max_length=200, blank=True)
    # What the member posted in reply from the app: shown in the lead's conversation (LinkedIn
    # does not list the member's own replies back to a self-serve app).
    reply_text = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    ingested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commented_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "urn"], name="one_comment_per_urn")
        ]
        indexes = [
            models.Index(fields=["workspace", "-score"]),
            # Storing a scan counts each commenter's earlier comments in the workspace; on
            # commenter_id alone the planner may pair it with the workspace's index and
            # read all of the workspace's comments (it did, 0.3 ms a commenter at 10,000).
            models.Index(fields=["workspace", "commenter"]),
        ]

    def __str__(self):
        return self.text[:60]

    @property
    def intent_label(self) -> str:
        return INTENT_LABELS.get(self.intent, self.intent)


class Feedback(WorkspaceOwned):
    """A member saying a comment is or is not a lead; `leads_train` learns from it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="feedback")
    is_lead = models.BooleanField()
    intent = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.comment_id}: {'lead' if self.is_lead else 'not a lead'}"


class AlertSettings(WorkspaceOwned):
    """A member's lead alerts: threshold, quiet hours (their time zone) and a daily cap."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # 60 is scoring.LEAD_LINE: every comment the classifier calls a lead alerts by default.
    threshold = models.PositiveSmallIntegerField(_("alert me from score"), default=60)
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)
    daily_cap = models.PositiveSmallIntegerField(_("at most this many alerts a day"), default=10)
    digest = models.BooleanField(_("morning digest"), default=True)
    last_digest_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "user"], name="one_alert_settings_per_member"
            )
        ]

    def __str__(self):
        return f"alerts of {self.user_id} in {self.workspace_id}"


class Alert(WorkspaceOwned):
    """An immediate lead alert sent to one member: one per lead and member, ever."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="alerts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    held_reason = models.CharField(max_length=40, blank=True)  # quiet hours, daily cap

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lead", "user"], name="one_alert_per_lead_and_member")
        ]

    def __str__(self):
        return f"alert {self.lead_id} → {self.user_id}"


class InboundAddress(WorkspaceOwned):
    """A workspace's private address for forwarded LinkedIn notification e-mails. The token
    is the secret that routes a message to the workspace; regenerating it retires the old
    address at once."""

    token = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    test_token = models.CharField(max_length=40, blank=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    test_received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_inbound_address_per_workspace")
        ]

    def __str__(self):
        return f"inbound address of {self.workspace_id}"


class InboundMessage(WorkspaceOwned):
    """One e-mail that reached a workspace's inbound address, kept as received whatever
    became of it, so a message the parser cannot read is shown rather than lost."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Waiting to be read")
        PROCESSING = "processing", _("Being read")
        PARSED = "parsed", _("Comment stored")
        UNMATCHED = "unmatched", _("Comment stored, post not found")
        DUPLICATE = "duplicate", _("Already stored")
        UNREADABLE = "unreadable", _("Not a comment notification we can read")
        TEST = "test", _("Test message received")

    received_at = models.DateTimeField(default=timezone.now)
    provider = models.CharField(max_length=40, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    message_id = models.CharField(max_length=500, blank=True)
    raw = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-received_at"])]

    def __str__(self):
        return f"{self.subject[:60]} ({self.status})"


class LeadCalibration(WorkspaceOwned):
    """What a workspace's "lead / not a lead" answers taught: a shift of the classifier's lead
    log-odds for this workspace (`apps/leads/feedback.py`), refitted by a Celery task after
    each answer. The global model stays shared; this is the workspace's small adjustment."""

    offset = models.FloatField(default=0.0)
    answers = models.PositiveIntegerField(default=0)  # feedback rows it was fitted on
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_lead_calibration_per_workspace")
        ]

    def __str__(self):
        return f"lead calibration of {self.workspace_id}: {self.offset:+.2f}"
