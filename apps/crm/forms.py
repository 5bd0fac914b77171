from django import forms
from django.utils.translation import gettext_lazy as _

from apps.crm.models import Provider
from apps.leads.models import Lead

MAPPED = [
    (Lead.Status.NEW, _("New")),
    (Lead.Status.CONTACTED, _("Contacted")),
    (Lead.Status.QUALIFIED, _("Qualified")),
    (Lead.Status.CONVERTED, _("Converted")),
    (Lead.Status.LOST, _("Lost")),
]


class StageMapForm(forms.Form):
    """One deal stage id per lead status; empty leaves the CRM's default stage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for status, label in MAPPED:
            self.fields[f"stage_{status}"] = forms.CharField(
                label=label,
                required=False,
                max_length=64,
                help_text=_("The CRM's deal stage id for leads in this stage."),
            )

    def stage_map(self) -> dict:
        return {status: self.cleaned_data.get(f"stage_{status}", "") for status, _label in MAPPED}

    @classmethod
    def initial_from(cls, stage_map: dict) -> dict:
        return {f"stage_{status}": stage_map.get(status, "") for status, _label in MAPPED}


class ConnectForm(StageMapForm):
    provider = forms.ChoiceField(label=_("CRM"), choices=Provider.choices)
    token = forms.CharField(
        label=_("API token"),
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "HubSpot: a private app's access token (Settings, Integrations, Private apps) with "
            "the contacts and deals read and write scopes. Pipedrive: your personal API token "
            "(Personal preferences, API)."
        ),
    )
