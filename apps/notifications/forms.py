import base64
import binascii

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.notifications.models import PhoneNumber


def _b64url_length(value: str) -> int:
    try:
        return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError):
        return -1


class PushSubscriptionForm(forms.Form):
    """What a browser's PushSubscription.toJSON() holds, checked before it is stored."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.CharField(max_length=200)
    auth = forms.CharField(max_length=100)
    label = forms.CharField(max_length=100, required=False)

    def clean_p256dh(self):
        value = self.cleaned_data["p256dh"]
        # An uncompressed P-256 point: 65 bytes.
        if _b64url_length(value) != 65:
            raise forms.ValidationError(_("Not a browser push key."))
        return value

    def clean_auth(self):
        value = self.cleaned_data["auth"]
        if _b64url_length(value) != 16:
            raise forms.ValidationError(_("Not a browser push secret."))
        return value


class PhoneForm(forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        help_text=_("International form, e.g. +49 151 2345678."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class VerifyForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}
        ),
    )


class SmsSettingsForm(forms.ModelForm):
    class Meta:
        model = PhoneNumber
        fields = ["sms_enabled", "sms_threshold"]
        widgets = {"sms_threshold": forms.NumberInput(attrs={"min": 0, "max": 100})}

    def clean_sms_threshold(self):
        value = self.cleaned_data["sms_threshold"]
        if value > 100:
            raise forms.ValidationError(_("Scores go from 0 to 100."))
        return value
