from allauth.account.forms import ChangePasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import ROLE_RANK, Role
from apps.accounts.tenancy import across_workspaces
from apps.api.models import ApiToken
from apps.api.services import EXPIRY_CHOICES_DAYS
from apps.api.signals import KEEP_API_TOKENS_ATTRIBUTE


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What will use it, e.g. “CRM sync”. Only you and the admins see it."),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=_("What the token may do. It never gets more than your own role here."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[
            ("", _("Never")),
            *[(days, _("In %(days)d days") % {"days": days}) for days in EXPIRY_CHOICES_DAYS],
        ],
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = [
            (value, label)
            for value, label in Role.choices
            if ROLE_RANK[value] <= ROLE_RANK[membership.role]
        ]
        self.fields["role"].choices = allowed
        self.fields["role"].initial = Role.VIEWER


class PasswordChangeForm(ChangePasswordForm):
    """allauth's password change, plus a choice about personal API tokens: a new password
    revokes them unless the member ticks the box (settings.ACCOUNT_FORMS)."""

    keep_api_tokens = forms.BooleanField(
        label=_("Keep my personal API tokens working"),
        required=False,
        help_text=_(
            "Leave this unticked if you change your password because someone else may know "
            "it: every token you made is then revoked, in every workspace."
        ),
    )

    def __init__(self, *args, **kwargs):
        with across_workspaces(reason="the user's own API tokens, in every workspace"):
            super().__init__(*args, **kwargs)
            if not ApiToken.objects.filter(user=self.user, revoked_at__isnull=True).exists():
                del self.fields["keep_api_tokens"]  # nothing to keep: no question to ask

    def save(self) -> None:
        setattr(self.user, KEEP_API_TOKENS_ATTRIBUTE, self.cleaned_data.get("keep_api_tokens"))
        super().save()
