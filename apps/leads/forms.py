from django import forms
from django.utils.translation import gettext_lazy as _

from apps.leads.models import Lead


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["status", "value_eur", "follow_up_on", "notes"]
        widgets = {
            "follow_up_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "value_eur": forms.NumberInput(attrs={"min": 0, "step": "100"}),
        }

    def clean_value_eur(self):
        value = self.cleaned_data.get("value_eur")
        if value is not None and value < 0:
            raise forms.ValidationError(_("A value cannot be negative."))
        return value


class IdentifyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    headline = forms.CharField(
        label=_("Headline"),
        max_length=300,
        required=False,
        help_text=_("As on their LinkedIn profile, e.g. “CTO at Acme Logistics”."),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"), max_length=1250, widget=forms.Textarea(attrs={"rows": 4})
    )


class LeadSettingsForm(forms.ModelForm):
    class Meta:
        from apps.leads.models import LeadSettings

        model = LeadSettings
        fields = [
            "alert_threshold",
            "escalate_after_hours",
            "retention_days",
            "share_labelled_comments",
        ]
        widgets = {"alert_threshold": forms.NumberInput(attrs={"min": 0, "max": 100})}

    def clean_alert_threshold(self):
        value = self.cleaned_data["alert_threshold"]
        if value > 100:
            raise forms.ValidationError(_("Scores go from 0 to 100."))
        return value


class AlertSettingsForm(forms.ModelForm):
    class Meta:
        from apps.leads.models import AlertSettings

        model = AlertSettings
        fields = ["threshold", "quiet_from", "quiet_until", "daily_cap", "digest"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "threshold": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("quiet_from")) != bool(cleaned.get("quiet_until")):
            raise forms.ValidationError(_("Give both ends of your quiet hours, or neither."))
        if (cleaned.get("threshold") or 0) > 100:
            self.add_error("threshold", _("Scores go from 0 to 100."))
        return cleaned
