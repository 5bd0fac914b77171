from django import forms
from django.utils.translation import gettext_lazy as _

from .validation import ALT_TEXT_MAX_LENGTH


class AttachForm(forms.Form):
    file = forms.FileField(
        label=_("Image or PDF"),
        help_text=_("JPEG, PNG or GIF images (up to 20), or one PDF document."),
    )
    alt_text = forms.CharField(
        label=_("Alt text"),
        required=False,
        max_length=ALT_TEXT_MAX_LENGTH,
        help_text=_("Describe the image for people who cannot see it."),
    )


class DescribeForm(forms.Form):
    alt_text = forms.CharField(label=_("Alt text"), required=False, max_length=ALT_TEXT_MAX_LENGTH)
    title = forms.CharField(label=_("Document title"), required=False, max_length=200)


class CarouselForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Carousel language"), choices=[("en", _("English")), ("de", _("German"))]
    )


class CarouselStyleForm(forms.Form):
    background = forms.RegexField(
        label=_("Background colour"),
        regex=r"^#[0-9A-Fa-f]{6}$",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    accent = forms.RegexField(
        label=_("Accent colour"),
        regex=r"^#[0-9A-Fa-f]{6}$",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    text = forms.RegexField(
        label=_("Text colour"),
        regex=r"^#[0-9A-Fa-f]{6}$",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("A PNG or JPEG, shown on every page.")
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
