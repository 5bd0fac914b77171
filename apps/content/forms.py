from django import forms
from django.utils.translation import gettext_lazy as _

from apps.content.models import Framework


class GenerateForm(forms.Form):
    topic = forms.CharField(
        label=_("Topic"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. why our Kafka migration stalled")}),
        help_text=_("Leave empty and we pick one from your expertise."),
    )
    framework = forms.ChoiceField(
        label=_("Framework"), required=False, choices=[("", _("Surprise me")), *Framework.choices]
    )


class PlanWeekForm(forms.Form):
    count = forms.IntegerField(label=_("Posts"), min_value=1, max_value=14, initial=5)


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Post"), widget=forms.Textarea(attrs={"rows": 16}), max_length=10_000
    )
    first_comment = forms.CharField(
        label=_("First comment"),
        required=False,
        max_length=1250,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Posted right after the post: put links here, not in the post."),
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_(
            "Columns: text (required), first_comment, topic. UTF-8, first row names the columns."
        ),
    )
    csv_text = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            if upload.size > 2 * 1024 * 1024:
                raise forms.ValidationError(_("The file is larger than 2 MB."))
            try:
                cleaned["csv_text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
                ) from None
        if not cleaned.get("csv_text"):
            raise forms.ValidationError(_("Choose a CSV file."))
        return cleaned


class ScheduleForm(forms.Form):
    """A date and time typed in the user's own time zone."""

    at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class SlotForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        coerce=int,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    local_time = forms.TimeField(
        label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class NeedsCheckForm(forms.Form):
    appeared = forms.TypedChoiceField(
        coerce=lambda v: v == "yes", choices=[("yes", _("Yes")), ("no", _("No"))]
    )
    url = forms.URLField(
        label=_("Link to the post on LinkedIn (optional)"), required=False, assume_scheme="https"
    )


class PastPostImportForm(forms.Form):
    """Past posts, pasted or as LinkedIn's Shares.csv. A file that cannot be read is shown in
    the text box, so nothing the user gave is lost."""

    PASTE, CSV = "paste", "csv"
    MAX_FILE_BYTES = 8 * 1024 * 1024

    kind = forms.ChoiceField(
        label=_("What you are importing"),
        choices=[
            (PASTE, _("Posts pasted as text")),
            (CSV, _("Shares.csv from LinkedIn's data export")),
        ],
        initial=PASTE,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Posts"),
        required=False,
        max_length=2 * 1024 * 1024,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Pasting: put a line with three dashes (---) between posts, or two empty lines. "
            "Shares.csv: paste the file's text or choose the file below."
        ),
    )
    file = forms.FileField(label=_("Shares.csv"), required=False)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            # A prolific poster's Shares.csv runs to a few megabytes.
            if upload.size > self.MAX_FILE_BYTES:
                raise forms.ValidationError(_("The file is larger than 8 MB."))
            content = upload.read()
            if content.startswith(b"PK\x03\x04"):
                raise forms.ValidationError(
                    _("This is the export's ZIP archive: open it and choose Shares.csv inside.")
                )
            try:
                cleaned["text"] = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
                ) from None
            cleaned["kind"] = self.CSV
        if not (cleaned.get("text") or "").strip():
            raise forms.ValidationError(_("Paste your posts or choose Shares.csv."))
        return cleaned
