from django import forms
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import (
    TIMEZONE_CHOICES,
    ExpertiseProfile,
    Role,
    User,
    Workspace,
    validate_timezone,
)


class CommaListField(forms.CharField):
    """A list typed as comma-separated text: "Kubernetes, data platforms" → two items."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        items = [item.strip() for item in text.replace("\n", ",").split(",")]
        return [item for item in items if item]


class CaseStudiesField(forms.CharField):
    """One case study per line, "What we did | the outcome, with numbers"."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{item.get('title', '')} | {item.get('outcome', '')}".strip(" |") for item in value
            )
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        studies = []
        for line in text.splitlines():
            if not line.strip():
                continue
            title, _sep, outcome = line.partition("|")
            studies.append({"title": title.strip(), "outcome": outcome.strip()})
        return studies

    def validate(self, value):
        super().validate(value)
        for number, study in enumerate(value, start=1):
            if not study["title"]:
                raise forms.ValidationError(
                    _("Line %(n)s has no title before the “|”.") % {"n": number}
                )


class WorkspaceSettingsForm(forms.ModelForm):
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIMEZONE_CHOICES,
        help_text=_("Posting slots are in this time zone."),
    )

    class Meta:
        model = Workspace
        fields = ["name", "timezone", "posting_paused"]


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(label=_("Workspace name"), max_length=120)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ExpertiseProfileForm(forms.ModelForm):
    areas = CommaListField(
        label=_("Areas of expertise"),
        required=False,
        help_text=_("Comma-separated, e.g. Kubernetes, data platforms, security audits."),
    )
    industries = CommaListField(
        label=_("Industries served"),
        required=False,
        help_text=_("Comma-separated, e.g. fintech, healthcare."),
    )
    offers = CommaListField(
        label=_("What you offer"),
        required=False,
        help_text=_("Comma-separated, e.g. fractional CTO, architecture review, workshop."),
    )
    case_studies = CaseStudiesField(
        label=_("Case studies"),
        required=False,
        help_text=_(
            "One per line: what you did | the outcome. For example: Moved a payments "
            "platform to Kubernetes | cut cloud spend 38% in 4 months."
        ),
    )

    class Meta:
        model = ExpertiseProfile
        fields = [
            "headline",
            "areas",
            "years_experience",
            "industries",
            "offers",
            "case_studies",
            "tone",
            "language",
        ]
        widgets = {"years_experience": forms.NumberInput(attrs={"min": 0, "max": 60})}


class UserPreferencesForm(forms.ModelForm):
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONE_CHOICES)

    class Meta:
        model = User
        fields = ["full_name", "timezone"]


class SignupExtrasForm(forms.Form):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the browser's time zone,
    filled in by static/js/app.js, so a new consultant's posting times start in their own
    zone instead of UTC. Not typed by anyone: a value that is not a time zone is dropped."""

    # The name greets the consultant, signs their posts and names their workspace (and its
    # address); the e-mail's local part was a poor stand-in for all three.
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Ada Lovelace")}),
    )
    timezone = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"data-browser-timezone": ""})
    )

    field_order = ["full_name"]

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_timezone(self) -> str:
        value = self.cleaned_data.get("timezone") or ""
        try:
            validate_timezone(value)
        except forms.ValidationError:
            return ""
        return value

    def signup(self, request, user):
        """allauth's hook; the time zone is applied in AccountAdapter.save_user, before the
        personal workspace is made from it."""
