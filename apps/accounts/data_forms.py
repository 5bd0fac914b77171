from django import forms
from django.utils.translation import gettext_lazy as _


class WorkspaceDeleteForm(forms.Form):
    confirmation = forms.CharField(
        label=_("Type the workspace's name to confirm"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
