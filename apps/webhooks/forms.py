from django import forms
from django.utils.translation import gettext_lazy as _

from apps.webhooks.destinations import MAX_URL_LENGTH, destination_problem
from apps.webhooks.models import EventType


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
        help_text=_("An https:// address on your server that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/techlead"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Send these events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=EventType.values,
        error_messages={"required": _("Choose at least one event.")},
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = destination_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url
