from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import ROLE_RANK, Role
from apps.api.services import EXPIRY_CHOICES_DAYS


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
