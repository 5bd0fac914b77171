"""What the API reads and writes. Read serializers describe rows; write serializers only
validate input, and the views hand it to the apps' services."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.models import Role
from apps.content.models import Post, PostingSlot, PostTemplate
from apps.content.services import MAX_POST_CHARS
from apps.leads.models import Comment, Lead
from apps.leads.selectors import SORTS
from apps.notifications.models import Notification

# --- Errors (documentation only: apps/api/exceptions.py builds them) -------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in words for people."))
    code = serializers.CharField(help_text=_("A stable code for programs, e.g. `invalid`."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("With 400 only: the messages for each field that is not valid."),
    )


# --- Posts -----------------------------------------------------------------------------------


class PostSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True, allow_null=True)
    framework = serializers.CharField(
        read_only=True, help_text=_("The template's framework, e.g. `story`; empty if none.")
    )
    linkedin_url = serializers.CharField(
        read_only=True, help_text=_("The post on LinkedIn once published; empty before.")
    )
    approved_by = serializers.CharField(
        source="approved_by.display_name", read_only=True, allow_null=True
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "status",
            "text",
            "first_comment",
            "topic",
            "framework",
            "template_key",
            "hook",
            "backend",
            "lint_score",
            "review_comment",
            "author",
            "approved_by",
            "submitted_at",
            "approved_at",
            "scheduled_at",
            "published_at",
            "status_reason",
            "linkedin_url",
            "archived_at",
            "created_at",
            "updated_at",
            "impressions",
            "reactions",
            "comment_count",
            "reshares",
        ]
        read_only_fields = fields


class PostWriteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=MAX_POST_CHARS)
    first_comment = serializers.CharField(
        max_length=1250,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Posted right after the post: the place for links."),
    )


class PostFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Post.Status.choices, required=False)
    archived = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true: only archived posts; false (default): only posts not archived."),
    )


class ScheduleSerializer(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False,
        help_text=_(
            "When to publish (ISO 8601; UTC unless it has an offset). Leave it out to take "
            "the next free posting slot."
        ),
    )

    def validate_at(self, value):
        if value <= timezone.now() - timedelta(minutes=1):
            raise serializers.ValidationError(_("Choose a time in the future."))
        return value


# --- Posting slots and templates -------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"}
)
class LocalTimeField(serializers.TimeField):
    """A wall-clock time, 08:30 (or 08:30:00), without a date or time zone."""


class PostingSlotSerializer(serializers.ModelSerializer):
    weekday = serializers.ChoiceField(
        choices=PostingSlot.Weekday.choices, help_text=_("0 is Monday, 6 is Sunday.")
    )
    weekday_name = serializers.CharField(source="get_weekday_display", read_only=True)
    local_time = LocalTimeField(
        format="%H:%M",
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text=_("In the workspace's time zone, e.g. 08:30."),
    )

    class Meta:
        model = PostingSlot
        fields = ["id", "weekday", "weekday_name", "local_time"]


class PostTemplateSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text=_("e.g. `case-study/before-after`"))
    suits = serializers.ListField(child=serializers.CharField(), read_only=True)
    hooks = serializers.ListField(child=serializers.CharField(), read_only=True)
    body = serializers.ListField(child=serializers.CharField(), read_only=True)
    ctas = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_library = serializers.BooleanField(
        read_only=True, help_text=_("From the shared library, not the workspace's own.")
    )

    class Meta:
        model = PostTemplate
        fields = [
            "id",
            "key",
            "name",
            "framework",
            "goal",
            "suits",
            "hooks",
            "body",
            "ctas",
            "is_library",
            "updated_at",
        ]
        read_only_fields = fields


# --- Leads -----------------------------------------------------------------------------------


class LeadSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="commenter.name", read_only=True)
    headline = serializers.CharField(source="commenter.headline", read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "headline",
            "status",
            "score",
            "intent",
            "value_eur",
            "notes",
            "follow_up_on",
            "created_at",
            "updated_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class LeadCommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["id", "post", "text", "commented_at", "intent", "score", "replied_at"]
        read_only_fields = fields


class LeadDetailSerializer(LeadSerializer):
    comments = LeadCommentSerializer(many=True, read_only=True, source="api_comments")

    class Meta(LeadSerializer.Meta):
        fields = [*LeadSerializer.Meta.fields, "comments"]
        read_only_fields = fields


class LeadUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Lead.Status.choices, required=False)
    value_eur = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, allow_null=True, required=False
    )
    notes = serializers.CharField(allow_blank=True, max_length=10_000, required=False)
    follow_up_on = serializers.DateField(allow_null=True, required=False)


class LeadFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Lead.Status.choices,
        required=False,
        help_text=_("Without it, every lead except those marked “not a lead”."),
    )
    intent = serializers.CharField(required=False, max_length=40)
    min_score = serializers.IntegerField(required=False, min_value=0, max_value=100)
    created_after = serializers.DateField(required=False, help_text=_("On or after this day."))
    created_before = serializers.DateField(required=False, help_text=_("Before this day."))
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="score")


# --- Analytics -------------------------------------------------------------------------------


class AnalyticsQuerySerializer(serializers.Serializer):
    days = serializers.ChoiceField(choices=[7, 30, 90], required=False, default=30)


class PeriodFiguresSerializer(serializers.Serializer):
    published = serializers.IntegerField()
    impressions = serializers.IntegerField(
        allow_null=True, help_text=_("Null when LinkedIn gave no impressions for these posts.")
    )
    engagement_rate = serializers.FloatField(allow_null=True, help_text=_("In percent."))
    new_leads = serializers.IntegerField()
    pipeline_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    converted_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class PeriodDeltasSerializer(serializers.Serializer):
    published = serializers.FloatField(allow_null=True)
    impressions = serializers.FloatField(allow_null=True)
    engagement_rate = serializers.FloatField(allow_null=True)
    new_leads = serializers.FloatField(allow_null=True)
    pipeline_value = serializers.FloatField(allow_null=True)
    converted_value = serializers.FloatField(allow_null=True)


class FunnelStageSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


class WeekLeadsSerializer(serializers.Serializer):
    week = serializers.DateField(help_text=_("The Monday the week starts on."))
    leads = serializers.IntegerField()


class TopPostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hook = serializers.CharField()
    published_at = serializers.DateTimeField()
    impressions = serializers.IntegerField(allow_null=True)
    leads = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    posts = serializers.IntegerField()
    impressions = serializers.IntegerField(allow_null=True)
    engagement = serializers.IntegerField()
    leads = serializers.IntegerField()
    converted_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class AnalyticsSummarySerializer(serializers.Serializer):
    days = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    figures = PeriodFiguresSerializer(help_text=_("This period."))
    previous = PeriodFiguresSerializer(help_text=_("The period of the same length before."))
    deltas = PeriodDeltasSerializer(help_text=_("Change against the previous period, percent."))
    missing_impressions = serializers.IntegerField(
        help_text=_("Posts of the period whose impressions LinkedIn did not give.")
    )
    funnel = FunnelStageSerializer(many=True)
    leads_by_week = WeekLeadsSerializer(many=True)
    top_posts = TopPostSerializer(many=True)
    by_framework = GroupSerializer(many=True)
    by_template = GroupSerializer(many=True)


# --- Notifications ---------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False, help_text=_("Only unread."))


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were marked read."))


# --- The signed-in user ----------------------------------------------------------------------


class MembershipSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    workspaces = MembershipSummarySerializer(many=True)
