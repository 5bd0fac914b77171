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


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"), max_length=1250, widget=forms.Textarea(attrs={"rows": 4})
    )
