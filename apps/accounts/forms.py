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
from apps.accounts.proof_vault import GERMAN_FIELDS


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


class CaseStudyForm(forms.Form):
    """One entry of the proof vault: a project the consultant's posts may tell."""

    client_type = forms.CharField(
        label=_("Client type"),
        max_length=120,
        required=False,
        help_text=_("e.g. Series B fintech, logistics scale-up."),
    )
    problem = forms.CharField(
        label=_("Problem"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What hurt before you came in."),
    )
    action = forms.CharField(
        label=_("What you did"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. Moved a payments platform to Kubernetes."),
    )
    results = forms.CharField(
        label=_("Results, with numbers"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. cut cloud spend 38% in 4 months. Posts use these numbers and no others."),
    )
    may_name = forms.BooleanField(label=_("The client may be named in posts"), required=False)
    client_name = forms.CharField(
        label=_("Client's name"),
        max_length=120,
        required=False,
        help_text=_("Used only when the client may be named."),
    )
    # German drafts tell these instead of quoting the English notes; each is optional.
    problem_de = forms.CharField(
        label=_("Problem, in German"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "de"}),
        help_text=_("Optional. German drafts use it instead of quoting your English notes."),
    )
    action_de = forms.CharField(
        label=_("What you did, in German"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "de"}),
        help_text=_("Optional, e.g. Zahlungsplattform auf Kubernetes umgezogen."),
    )
    results_de = forms.CharField(
        label=_("Results, in German"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "lang": "de"}),
        help_text=_("Optional. Use the same numbers as in the results above."),
    )

    def clean(self):
        data = super().clean()
        if not self.has_changed() or data.get("DELETE"):
            return data
        texts = ("client_type", "problem", "action", "results", "client_name")
        texts += tuple(GERMAN_FIELDS.values())
        if not any((data.get(name) or "").strip() for name in texts):
            return data  # emptied: the same as removing it
        if not (data.get("action") or "").strip():
            self.add_error("action", _("Say what you did, so a post can tell it."))
        if not (data.get("results") or "").strip():
            self.add_error("results", _("Say what changed; numbers make it a proof point."))
        if data.get("may_name") and not (data.get("client_name") or "").strip():
            self.add_error("client_name", _("Give the client's name, or untick “may be named”."))
        return data

    def entry(self) -> dict:
        data = self.cleaned_data
        return {
            "client_type": data["client_type"].strip(),
            "problem": data["problem"].strip(),
            "action": data["action"].strip(),
            "results": data["results"].strip(),
            "may_name": bool(data["may_name"]),
            "client_name": data["client_name"].strip(),
            **{name: data[name].strip() for name in GERMAN_FIELDS.values() if data[name].strip()},
        }


class BaseCaseStudyFormSet(forms.BaseFormSet):
    def entries(self) -> list[dict]:
        """The vault as saved: filled forms in order, removed and empty ones left out. A case
        study shown and left as it was is kept (an unchanged form is still one)."""
        kept = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue  # the blank form nobody filled in
            entry = form.entry()
            if entry["action"] or entry["results"]:
                kept.append(entry)
        return kept


CaseStudyFormSet = forms.formset_factory(
    CaseStudyForm,
    formset=BaseCaseStudyFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
    validate_max=True,
)


def case_study_formset(data=None, *, profile) -> BaseCaseStudyFormSet:
    from apps.accounts.proof_vault import entries

    initial = [
        {name: entry[name] for name in ("client_type", "problem", "action", "results")}
        | {name: entry.get(name, "") for name in GERMAN_FIELDS.values()}
        | {"may_name": entry["may_name"], "client_name": entry["client_name"]}
        for entry in entries(profile.case_studies)
    ]
    if data is not None and "case-TOTAL_FORMS" not in data:
        data = None  # a form without the vault's fields leaves the vault as it is
    return CaseStudyFormSet(data, initial=initial, prefix="case")


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


class QuickCaseStudiesField(forms.CharField):
    """Several case studies at once, one a line: "What you did | the results, with numbers"."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value) or ""
        entries = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            action, bar, results = (part.strip() for part in line.partition("|"))
            if not (bar and action and results):
                raise forms.ValidationError(
                    _("Line %(n)s needs what you did, a “|”, then the results.") % {"n": number}
                )
            entries.append(
                {
                    "client_type": "",
                    "problem": "",
                    "action": action,
                    "results": results,
                    "may_name": False,
                    "client_name": "",
                }
            )
        return entries


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

    quick_case_studies = QuickCaseStudiesField(
        label=_("Case studies (quick add)"),
        required=False,
        help_text=_(
            "Optional, one per line: what you did | the results, with numbers. For example: "
            "Moved a payments platform to Kubernetes | cut cloud spend 38% in 4 months. Each "
            "line is added to your proof vault below, where you can add the client and more."
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
