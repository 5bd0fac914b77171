"""Post templates (the library and a workspace's own), posts, their versions, and the
one-click approval links sent to approvers."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned


class Framework(models.TextChoices):
    STORY = "story", _("Story")
    LESSON_LEARNED = "lesson-learned", _("Lesson learned")
    CONTRARIAN = "contrarian", _("Contrarian take")
    HOW_TO_LIST = "how-to-list", _("How-to list")
    CASE_STUDY = "case-study", _("Case study with numbers")
    MYTH_VS_REALITY = "myth-vs-reality", _("Myth vs reality")
    MISTAKE = "mistake", _("Mistake I made")
    ARCHITECTURE_DECISION = "architecture-decision", _("Architecture decision")
    TOOL_COMPARISON = "tool-comparison", _("Tool comparison")
    LEADERSHIP = "leadership", _("Leadership")
    HIRING = "hiring", _("Hiring")
    BEHIND_THE_SCENES = "behind-the-scenes", _("Behind the scenes")


class Goal(models.TextChoices):
    AUTHORITY = "authority", _("Authority")
    ENGAGEMENT = "engagement", _("Engagement")
    INQUIRY = "inquiry", _("Inquiry")


class PostTemplate(models.Model):
    """A post template. `workspace` empty: the shared library, loaded from
    apps/content/library/*.json and edited by staff; set: a workspace's own template."""

    workspace = models.ForeignKey(
        "accounts.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="post_templates",
    )
    key = models.SlugField(_("key"), max_length=120)
    name = models.CharField(_("name"), max_length=160)
    framework = models.CharField(_("framework"), max_length=40, choices=Framework.choices)
    goal = models.CharField(_("goal"), max_length=20, choices=Goal.choices, default=Goal.AUTHORITY)
    suits = models.JSONField(_("suits expertise"), default=list, blank=True)
    hooks = models.JSONField(_("hooks"), default=list)
    body = models.JSONField(_("body structure"), default=list)
    ctas = models.JSONField(_("calls to action"), default=list)
    translations = models.JSONField(
        default=dict, blank=True, help_text="Per language: {hooks, body, ctas}."
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post template")
        verbose_name_plural = _("post templates")
        ordering = ["framework", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(workspace__isnull=True),
                name="library_template_key_unique",
            ),
            models.UniqueConstraint(
                fields=["workspace", "key"],
                condition=Q(workspace__isnull=False),
                name="workspace_template_key_unique",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_library(self) -> bool:
        return self.workspace_id is None


class Post(WorkspaceOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        NEEDS_CHECK = "needs_check", _("Needs check")

    class Backend(models.TextChoices):
        TEMPLATE = "template", _("Template engine")
        LLM = "llm", _("Writing model")
        MANUAL = "manual", _("Written by hand")
        IMPORT = "import", _("Imported")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    text = models.TextField(_("text"))
    first_comment = models.TextField(
        _("first comment"),
        blank=True,
        help_text=_("Posted as the first comment right after publishing: the place for links."),
    )
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    framework = models.CharField(
        _("framework"), max_length=40, choices=Framework.choices, blank=True
    )
    template = models.ForeignKey(
        PostTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts"
    )
    template_key = models.CharField(max_length=120, blank=True)  # kept if the template goes
    hook = models.CharField(max_length=400, blank=True)
    backend = models.CharField(max_length=20, choices=Backend.choices, default=Backend.MANUAL)
    generation_note = models.CharField(max_length=300, blank=True)
    lint_score = models.PositiveSmallIntegerField(null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    # Scheduling and publishing (apps/content/scheduling.py and publishing.py).
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    # Set while a retry waits (rate limit, LinkedIn outage); the dispatcher skips it till then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Why a post is waiting, failed or needs a check, in words for the user.
    status_reason = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Set when the publish call is about to be made; a second task that finds it set knows a
    # call may already have reached LinkedIn and must not make another.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    publish_attempts = models.PositiveSmallIntegerField(default=0)
    # Reconciliation of a post in "needs check": reads of LinkedIn made so far (bounded, then
    # a person is asked), and when LinkedIn first said "not there" (trusted only when a
    # second read after a delay agrees: its read side can lag behind a post just made).
    reconcile_checks = models.PositiveSmallIntegerField(default=0)
    first_missing_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    linkedin_urn = models.CharField(max_length=120, blank=True)
    linkedin_url = models.URLField(max_length=300, blank=True)
    first_comment_urn = models.CharField(max_length=200, blank=True)
    first_comment_error = models.CharField(max_length=300, blank=True)
    # Comment scanning (apps/leads/ingestion.py): the cadence slows as the post ages.
    comments_scanned_at = models.DateTimeField(null=True, blank=True)
    next_comment_scan_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Metric snapshots (apps/analytics/collector.py); the latest figures are kept here too so
    # lists and exports need no join.
    next_metrics_at = models.DateTimeField(null=True, blank=True, db_index=True)
    impressions = models.PositiveIntegerField(null=True, blank=True)
    members_reached = models.PositiveIntegerField(null=True, blank=True)
    reactions = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    reshares = models.PositiveIntegerField(null=True, blank=True)
    metrics_at = models.DateTimeField(null=True, blank=True)
    # Whether those latest figures came from LinkedIn's export (a MetricSnapshot with source
    # "import" at metrics_at): written with them by analytics.importing and the collector,
    # so the dashboard reads a column instead of looking a snapshot up for every post. False
    # in the database too (db_default), for rows written in SQL.
    figures_imported = models.BooleanField(default=False, db_default=False)
    # The leads this post brought (Lead.source_post, leads marked "not a lead" left out) and
    # what its converted ones are worth: on PostgreSQL kept by triggers on leads_lead
    # (apps/leads/totals.py), whatever writes the leads, so the dashboard and the best posting
    # times read them from the post (and from post_published_cover_idx) instead of counting
    # leads. Nothing else writes them: save() leaves them out (see there). SQLite has no such
    # triggers: there they stay 0 and the readers count the leads instead.
    attributed_leads = models.IntegerField(default=0, db_default=0, editable=False)
    attributed_value = models.DecimalField(
        max_digits=18, decimal_places=2, default=0, db_default=0, editable=False
    )
    # Written by a drafting job (apps/content/drafting.py): which one, and the draft's place
    # in it. Unique together, so a job run twice cannot store the same draft twice.
    drafting_job = models.ForeignKey(
        "content.DraftingJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    drafting_index = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["drafting_job", "drafting_index"], name="post_one_per_drafting_place"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "status", "-updated_at"]),
            # The dashboard: a workspace's published posts of a period, and the latest
            # publication and metrics reading (its cache stamp), each one index lookup.
            # Carrying the figures a period's totals sum, and what the period's posts are
            # grouped by and ordered by, lets PostgreSQL answer those from the index alone (an
            # index-only scan; post rows are wide, text and all): reading the 8,000 posts of a
            # month at ten times the size from the table cost 15 ms of the page, from this
            # index 2 ms.
            models.Index(
                fields=["workspace", "status", "published_at"],
                include=[
                    "id",
                    "impressions",
                    "reactions",
                    "comment_count",
                    "reshares",
                    "metrics_at",
                    "updated_at",
                    "framework",
                    "template_key",
                    "topic",
                    "hook",
                    "figures_imported",
                    "attributed_leads",
                    "attributed_value",
                ],
                name="post_published_cover_idx",
            ),
            # The dashboard's top five posts of a period: a workspace's published posts in
            # the order the top five are chosen (most leads, then impressions, then the newest
            # id), each entry carrying its publication time, so the first five of the period
            # are the first five entries in it (a few dozen read instead of the period's
            # 8,000 sorted, 4 ms of the page at ten times the size).
            models.Index(
                F("workspace"),
                F("attributed_leads").desc(),
                Coalesce("impressions", 0).desc(),
                F("id").desc(),
                include=["published_at"],
                condition=Q(status="published", published_at__isnull=False),
                name="post_top_leads_idx",
            ),
            models.Index(fields=["workspace", "status", "metrics_at"]),
            # The dispatcher's query: due scheduled posts across all workspaces.
            models.Index(
                fields=["status", "scheduled_at"],
                name="post_due_idx",
                condition=Q(status="scheduled"),
            ),
        ]

    # The columns only the triggers on leads_lead (and leads.totals.rebuild_lead_totals) write.
    KEPT_BY_DATABASE = frozenset({"attributed_leads", "attributed_value"})

    def __str__(self):
        return self.hook[:60] or self.text[:60]

    def save(self, *args, **kwargs):
        """Saving a post that exists writes every column but the lead totals: this object's
        copy of them is what they were when it was read, and writing it back would undo any
        lead the triggers added since (a scan crediting a comment while an editor saves). So
        the update names the other loaded columns, as Django itself does for a post read
        with columns deferred. A post without a primary key is new (or a copy being made):
        no lead can point at it yet, so its totals are zero. Naming the totals in
        update_fields is refused."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if self.KEPT_BY_DATABASE.intersection(update_fields):
                raise ValueError("A post's lead totals are written by the database only.")
        elif self.pk is None:
            self.attributed_leads = 0
            self.attributed_value = Decimal(0)
        elif not self._state.adding and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key
                and field.attname not in deferred
                and field.name not in self.KEPT_BY_DATABASE
            ]
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.IN_REVIEW, self.Status.APPROVED)


class PostVersion(WorkspaceOwned):
    """Every saved state of a post's text, newest last; restoring one makes a new version."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField()
    first_comment = models.TextField(blank=True)
    note = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    # The notes services write, in words for the version history ("edited" in a German page
    # was a stored key).
    NOTE_LABELS = {
        "generated": _("generated"),
        "edited": _("edited"),
        "written": _("written"),
        "restored": _("restored"),
        "imported": _("imported"),
    }

    @property
    def note_label(self) -> str:
        return str(self.NOTE_LABELS.get(self.note, self.note))

    def __str__(self):
        return f"{self.post_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class ApprovalLink(WorkspaceOwned):
    """A one-click approval sent by email. The URL carries a signed, timestamped id and a
    nonce; only the nonce's hash is stored, and `used_at` makes it single-use."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_links")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    nonce_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval link")
        verbose_name_plural = _("approval links")

    def __str__(self):
        return f"approval of {self.post_id} by {self.approver_id}"


class PostingSlot(WorkspaceOwned):
    """A weekly posting time in the workspace's time zone, e.g. Tuesday 08:30."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    local_time = models.TimeField(_("time"))

    class Meta:
        ordering = ["weekday", "local_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "weekday", "local_time"], name="one_slot_per_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.local_time:%H:%M}"


class PublishAttempt(WorkspaceOwned):
    """One call to LinkedIn to publish a post, recorded before the call is made."""

    class Outcome(models.TextChoices):
        STARTED = "started", _("Started")
        PUBLISHED = "published", _("Published")
        RETRY = "retry", _("Will retry")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Unknown outcome")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attempts")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.STARTED)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["workspace", "started_at"])]

    def __str__(self):
        return f"{self.post_id} {self.outcome} @ {self.started_at:%Y-%m-%d %H:%M}"


class PastPost(WorkspaceOwned):
    """A post the consultant published before using the app, imported so drafts can follow
    their voice (apps/content/voice.py) and so new drafts do not repeat them. The text is theirs;
    it is a source of facts and style, never published again by us."""

    class Source(models.TextChoices):
        PASTE = "paste", _("Pasted")
        CSV = "csv", _("LinkedIn export (Shares.csv)")
        API = "api", _("LinkedIn API")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="past_posts",
    )
    text = models.TextField(_("text"))
    # sha256 of the text with white space collapsed: the same post imported twice (pasted, then
    # in the export) is one row.
    text_hash = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.PASTE
    )
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("past post")
        verbose_name_plural = _("past posts")
        ordering = ["-published_at", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "text_hash"], name="past_post_text_unique_per_workspace"
            ),
        ]

    def __str__(self):
        return self.text[:60]


class FirstComment(WorkspaceOwned):
    """The first comment of a published post: a step of publishing with its own record,
    created in the same transaction that marks the post published and retried until it is
    done or LinkedIn is known to refuse it (apps/content/publishing.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be posted")
        POSTING = "posting", _("Being posted")
        DONE = "done", _("Posted")
        UNKNOWN = "unknown", _("May or may not be on LinkedIn")
        REFUSED = "refused", _("Refused by LinkedIn")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="first_comment_step")
    text = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While posting: when the claim runs out (a worker that died leaves it to the sweep).
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A call may have reached LinkedIn without an answer: look before posting again.
    maybe_posted = models.BooleanField(default=False)
    urn = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.post_id} first comment ({self.status})"


class DraftingJob(WorkspaceOwned):
    """A request to write drafts (one, one like an earlier post, or a week's worth), run by a
    worker so the model is never asked while a web request or a transaction waits
    (apps/content/drafting.py). Each draft it writes is stored at once, tagged with the job
    and its place in it, so the page shows drafts as they arrive and a second run of the
    same job (a redelivered task) continues where the first stopped instead of writing
    them again."""

    class Kind(models.TextChoices):
        ONE = "one", _("One draft")
        SIMILAR = "similar", _("A draft like an earlier post")
        WEEK = "week", _("A week of drafts")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    count = models.PositiveSmallIntegerField(default=1)
    topic = models.CharField(max_length=200, blank=True)
    framework = models.CharField(max_length=40, choices=Framework.choices, blank=True)
    similar_to = models.ForeignKey(
        Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Fixed when the job is made: a rerun writes the same week, not a different one.
    seed = models.BigIntegerField(default=0)

    class Stop(models.TextChoices):
        # Words for the person waiting, in their language when the page is shown.
        TIME_LIMIT = (
            "time_limit",
            _("Writing took too long and was stopped. The drafts above are kept."),
        )
        CRASHED = (
            "crashed",
            _(
                "Something went wrong while writing. The drafts above are kept; “Write the "
                "rest” tries again."
            ),
        )

    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # Why the job stopped before writing everything (empty when it did not).
    error = models.CharField(max_length=20, choices=Stop.choices, blank=True)
    # Touched after each draft; a running job whose worker died goes quiet, and a redelivered
    # task may take it over once this is older than drafting.LEASE.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self):
        return f"{self.kind}, {self.count} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
