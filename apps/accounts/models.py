"""Users, workspaces (the tenant), memberships with roles, invitations, expertise profiles
and the audit log."""

import hashlib
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.tenancy import WorkspaceOwned

# Offered in forms, not declared as model choices: tzdata updates must not need a migration.
TIMEZONE_CHOICES = [("UTC", "UTC")] + [
    (name, name.replace("_", " "))
    for name in sorted(zoneinfo.available_timezones())
    if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
]


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        ) from None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by email; belongs to workspaces through memberships."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone], default="UTC"
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=django_timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


class Workspace(models.Model):
    """The tenant. Everything a customer owns hangs off one of these."""

    class Plan(models.TextChoices):
        TRIAL = "trial", _("Trial")
        SOLO = "solo", _("Solo")
        TEAM = "team", _("Team")
        AGENCY = "agency", _("Agency")

    class SubscriptionStatus(models.TextChoices):
        TRIALING = "trialing", _("Trialing")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_timezone], default="UTC"
    )
    plan = models.CharField(_("plan"), max_length=20, choices=Plan.choices, default=Plan.TRIAL)
    subscription_status = models.CharField(
        _("subscription status"),
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.TRIALING,
    )
    posting_paused = models.BooleanField(
        _("posting paused"),
        default=False,
        help_text=_("While paused, scheduled posts wait and nothing is published."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


# Higher rank can do everything a lower rank can.
ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3, Role.OWNER: 4}


class Membership(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user"),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    @property
    def can_manage_members(self) -> bool:
        return self.has_role(Role.ADMIN)


def _invitation_token() -> str:
    # Referenced by migration 0001 (the column's old default); tokens are made in save().
    return secrets.token_urlsafe(32)


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's secret: its SHA-256. The link carries the secret;
    a copy of the database lets nobody join a workspace."""
    return hashlib.sha256(token.encode()).hexdigest()


def _invitation_expiry():
    return django_timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(WorkspaceOwned):
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.workspace}"

    def save(self, *args, **kwargs):
        # A new invitation gets its secret here; only its hash is stored. The secret stays
        # on this instance (`token`) for the email that carries the link, and nowhere else.
        if not self.token_hash:
            self.token = _invitation_token()
            self.token_hash = invitation_token_hash(self.token)
        super().save(*args, **kwargs)

    @property
    def is_expired(self) -> bool:
        return django_timezone.now() >= self.expires_at

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and not self.is_expired


class ExpertiseProfile(WorkspaceOwned):
    """What a member knows and sells; the content engine writes posts from it."""

    class Tone(models.TextChoices):
        DIRECT = "direct", _("Direct and practical")
        FRIENDLY = "friendly", _("Friendly and personal")
        ANALYTICAL = "analytical", _("Analytical, numbers first")
        BOLD = "bold", _("Bold and contrarian")

    class Language(models.TextChoices):
        EN = "en", _("English")
        DE = "de", _("German")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expertise_profiles"
    )
    headline = models.CharField(
        _("headline"),
        max_length=160,
        blank=True,
        help_text=_("How you introduce yourself, e.g. “Fractional CTO for B2B SaaS”."),
    )
    areas = models.JSONField(_("areas of expertise"), default=list, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    industries = models.JSONField(_("industries served"), default=list, blank=True)
    offers = models.JSONField(_("offers"), default=list, blank=True)
    case_studies = models.JSONField(
        _("case studies"),
        default=list,
        blank=True,
        # The proof vault; the shape of an entry is in apps/accounts/proof_vault.py.
        help_text=_(
            "Case studies: client type, problem, what was done, results with numbers, and "
            "whether the client may be named."
        ),
    )
    tone = models.CharField(_("tone"), max_length=20, choices=Tone.choices, default=Tone.DIRECT)
    language = models.CharField(
        _("post language"), max_length=5, choices=Language.choices, default=Language.EN
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expertise profile")
        verbose_name_plural = _("expertise profiles")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_profile_per_member"),
        ]

    def __str__(self):
        return f"{self.user} in {self.workspace}"

    @property
    def is_complete(self) -> bool:
        return bool(self.areas and self.offers and self.headline)


class AuditEvent(models.Model):
    """Who did what, where, when, from which address. Append-only.

    Not a WorkspaceOwned model: sign-ins and staff actions have no workspace. Reads still go
    through a workspace filter in the selectors."""

    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.EmailField(blank=True)  # kept when the user is deleted
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action}"
