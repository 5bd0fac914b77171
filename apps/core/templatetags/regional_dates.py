"""`{{ day|regional_date:_("j M Y") }}`: a date written out in a template, in the order the
reader's region writes it (apps/core/locale.py). A builtin: no `{% load %}` needed."""

from django import template
from django.template.defaultfilters import date as date_filter

from apps.core.locale import regional_format

register = template.Library()


@register.filter(name="regional_date", expects_localtime=True, is_safe=False)
def regional_date(value, date_format: str) -> str:
    return date_filter(value, regional_format(date_format))
