"""Amounts in euros as each language writes them: "€12,000" in English, "12.000 €" in German."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

register = template.Library()


def format_euros(value) -> str:
    amount = number_format(value or 0, 0, force_grouping=True)
    # Translators: where the euro sign goes; German puts it after the number, with a space.
    return pgettext("money", "€%(amount)s") % {"amount": amount}


@register.filter(name="euros")
def euros(value) -> str:
    return format_euros(value)
